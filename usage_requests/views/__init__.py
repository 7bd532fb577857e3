"""The usage-request pages by subject (``composer``: sending requests;
``requests``: inbox, request page, moves; ``messages``: the thread), the
contract pages (``contracts``) and the public licence check (``licences``)."""
