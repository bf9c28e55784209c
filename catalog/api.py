"""The public catalog of docs/api.md: what a municipality offers. Thin: parse, call,
serialize."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.selectors import Offer, offers_for
from catalog.vocabulary import TrustLevel
from municipalities.selectors import municipality_by_slug


class OfferSerializer(serializers.Serializer):
    key = serializers.CharField(source="service.key")
    leika = serializers.CharField(source="service.leika")
    name = serializers.CharField(source="service.display_name")
    description = serializers.CharField(source="service.display_description")
    fee_kind = serializers.CharField(source="service.fee_kind")
    fee_cents = serializers.IntegerField(source="unit_fee_cents")
    currency = serializers.SerializerMethodField()
    prepay = serializers.BooleanField(source="service.prepay")
    sla_days = serializers.IntegerField(source="service.sla_days")
    version = serializers.IntegerField(source="service.version")
    processing_authority = serializers.CharField(source="processing_authority.slug")
    trust_level = serializers.ChoiceField(
        source="service.trust_level",
        choices=TrustLevel.values,
        help_text="How the applicant must be identified to file: none (anonymous), low, "
        "substantial or high (BundID's trust levels; docs/identity.md).",
    )
    form = serializers.SerializerMethodField()

    def get_currency(self, offer: Offer) -> str:
        return "EUR"

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_form(self, offer: Offer) -> dict[str, Any]:
        return offer.service.form


class ServiceList(APIView):
    authentication_classes: list = []

    @extend_schema(responses=OfferSerializer(many=True), summary="Services a municipality offers")
    def get(self, request: Request, slug: str) -> Response:
        offers = offers_for(municipality_by_slug(slug))
        return Response(OfferSerializer(offers, many=True).data)
