from django.urls import path

from catalogue.training import views

urlpatterns = [
    path("krav/mine/", views.my_training, name="my_training"),
]
