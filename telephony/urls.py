from django.urls import path

from telephony.apis import TelephonyConfigApi

urlpatterns = [
    path("telephony/config", TelephonyConfigApi.as_view(), name="telephony-config"),
]
