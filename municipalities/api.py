from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from municipalities.models import Municipality
from municipalities.selectors import municipalities_public


class MunicipalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields = ["slug", "name", "ags", "kind"]


@extend_schema(summary="The district and its municipalities")
class MunicipalityList(generics.ListAPIView):
    serializer_class = MunicipalitySerializer
    pagination_class = None
    authentication_classes: list = []

    def get_queryset(self):
        return municipalities_public()
