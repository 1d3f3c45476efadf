from django.urls import path

from taizhang.identity import views

urlpatterns = [
    path("oidc/authenticate/", views.OIDCStart.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", views.OIDCReturn.as_view(), name="oidc_authentication_callback"),
    path("cas/login/", views.CASLogin.as_view(), name="cas_login"),
    path("sso/refused/", views.refused, name="sso_refused"),
]
