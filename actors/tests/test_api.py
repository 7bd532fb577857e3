import pytest
from actors.tests.factories import ActorProfileFactory, photo_for
from creators.tests.factories import ProjectFactory, ShotFactory
pytestmark = pytest.mark.django_db

def test_probe(api_as, creator, actor, api_client, newcomer):
    a = ActorProfileFactory(listed=True, slug="x", skills="horse, sword", languages=["zh"])
    photo_for(a)
    c = api_as(creator)
    r = c.get("/api/v1/actors/")
    print(r.status_code, r.json())
    r = c.get("/api/v1/actors/x/")
    print(r.status_code, r.json())
    r = c.get("/api/v1/actors/lin-xiaoyu/")
    print(r.status_code, r.json())
    r = api_client.get("/api/v1/actors/")
    print(r.status_code, r.json(), r.headers.get("WWW-Authenticate"))
    r = api_as(newcomer).get("/api/v1/actors/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    print(r.status_code, r.json())
    r = c.get("/api/v1/actors/", {"cursor": "bad", "page_size": "0"})
    print(r.status_code, r.json())
    r = c.get("/api/v1/actors/", {"cursor": "bad"})
    print(r.status_code, r.json())
    r = c.post("/api/v1/projects/", {"title": "T", "category": "film", "territory": "worldwide"})
    print(r.status_code, r.content[:300])
    p = ProjectFactory(creator=creator.creator_profile)
    ShotFactory(project=p)
    r = c.get("/api/v1/projects/")
    print(r.status_code, r.json())
    r = c.get(f"/api/v1/projects/{p.pk}/shots/")
    print(r.status_code, r.json())
