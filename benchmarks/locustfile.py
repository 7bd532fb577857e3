"""Load for ``benchmarks/roster.py``: one signed-in creator hitting one path.

The session cookie and the path come from the environment (BENCH_SESSION,
BENCH_PATH), so the same user class measures the roster and the trivial view.
"""

import os

from locust import FastHttpUser, constant, task


class SignedInCreator(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.path = os.environ["BENCH_PATH"]
        self.headers = {"Cookie": f"sessionid={os.environ['BENCH_SESSION']}"}

    @task
    def fetch(self):
        with self.client.get(self.path, headers=self.headers, name=self.path, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
