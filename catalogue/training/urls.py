from django.urls import include, path

from catalogue.training import views

urlpatterns = [
    path("krav/mine/", views.my_training, name="my_training"),
    path("", include("catalogue.training.evidence_urls")),
]
