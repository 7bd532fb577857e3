"""URLs of the request pages: composer, inbox, request page and its actions, messages."""

from django.urls import path

from usage_requests import views

urlpatterns: list = [
    path("requests/", views.inbox, name="inbox"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/decide/", views.request_decide, name="request_decide"),
    path("requests/<int:pk>/accept/", views.request_accept, name="request_accept"),
    path("requests/<int:pk>/decline/", views.request_decline, name="request_decline"),
    path("requests/<int:pk>/counter/", views.request_counter, name="request_counter"),
    path("requests/<int:pk>/accept-counter/", views.request_accept_counter, name="request_accept_counter"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("requests/<int:pk>/messages/", views.request_messages, name="request_messages"),
]
