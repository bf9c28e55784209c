"""Payment endpoints of docs/api.md that need no payable to find: a payment by its id, and a
town's bank statements. The endpoints under /cases/<reference>/payments/ find their case
first and live with the cases (cases/api/payments.py); they answer with `PaymentSerializer`.
Thin: parse, call a service or selector, serialize."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import Invalid
from payments import camt, selectors
from payments.models import Payment
from payments.providers.base import NextStepKind
from payments.services.common import next_step
from payments.services.statements import statements_upload

ACCESS_TOKEN_PARAMETERS = [
    OpenApiParameter("access_token", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False),
    OpenApiParameter("X-Access-Token", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False),
]


def access_token_of(request: Request) -> str | None:
    """A citizen's access token: the header X-Access-Token or `?access_token=`."""
    return request.headers.get("X-Access-Token") or request.query_params.get("access_token")


class PayeeSerializer(serializers.Serializer):
    name = serializers.CharField(source="payee_name")
    iban = serializers.CharField(source="payee_iban")
    bic = serializers.CharField(source="payee_bic")
    municipality = serializers.CharField(source="payee_municipality.slug")


class _SetFromNextStep:
    """A field of the schema whose value `PaymentSerializer.to_representation` sets from the
    provider's next step (computed once); the serializer itself skips it."""

    def get_attribute(self, instance: Any) -> Any:
        raise SkipField()


class NextStepSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[kind.value for kind in NextStepKind])
    url = serializers.CharField(
        allow_null=True, required=False, help_text="redirect: the checkout (null once over)"
    )
    epc_payload = serializers.CharField(required=False, help_text="show_transfer: the QR text")
    qr_svg_url = serializers.CharField(required=False, help_text="show_transfer: the QR image")


class _NextStepField(_SetFromNextStep, NextStepSerializer):
    pass


class _NextStepText(_SetFromNextStep, serializers.CharField):
    pass


class PaymentSerializer(serializers.Serializer):
    """A payment attempt with what the payer does next (`next_step`), and as contract v1
    promised, `redirect_url` for a redirecting provider, `epc_payload` and `qr_svg_url` for
    a bank transfer."""

    id = serializers.UUIDField()
    case = serializers.CharField(source="payable")
    provider = serializers.CharField()
    method = serializers.CharField()
    status = serializers.CharField()
    amount_cents = serializers.IntegerField()
    currency = serializers.CharField()
    creditor_reference = serializers.CharField()
    kassenzeichen = serializers.CharField()
    receipt_number = serializers.CharField()
    payee = PayeeSerializer(source="*")
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    next_step = _NextStepField()
    redirect_url = _NextStepText(allow_null=True, required=False)
    epc_payload = _NextStepText(required=False)
    qr_svg_url = _NextStepText(required=False)

    def to_representation(self, payment: Payment) -> dict[str, Any]:
        data = super().to_representation(payment)
        step = next_step(payment)
        data["next_step"] = {"kind": str(step.kind)}
        if step.kind == NextStepKind.REDIRECT:
            data["redirect_url"] = data["next_step"]["url"] = step.url or None
        elif step.kind == NextStepKind.SHOW_TRANSFER:
            request = self.context.get("request")
            url = reverse("payments:qr", args=[payment.pk])
            data["epc_payload"] = data["next_step"]["epc_payload"] = step.payload
            data["qr_svg_url"] = data["next_step"]["qr_svg_url"] = (
                request.build_absolute_uri(url) if request else url
            )
        return data


class PaymentDetail(APIView):
    @extend_schema(parameters=ACCESS_TOKEN_PARAMETERS, responses=PaymentSerializer)
    def get(self, request: Request, payment_id: str) -> Response:
        payment = selectors.payment_for_request(request.user, payment_id, access_token_of(request))
        return Response(PaymentSerializer(payment, context={"request": request}).data)


class StatementUpload(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        responses={200: OpenApiTypes.OBJECT},
        summary="Municipal admin: import a camt.053/.054 statement of the fee account, or a "
        "ZIP of statements",
    )
    def post(self, request: Request, slug: str) -> Response:
        municipality = selectors.municipality_for_treasury(request.user, slug)
        upload = request.FILES.get("file")
        if upload is None:
            raise Invalid(errors={"file": ["Upload the statement as the part “file”."]})
        data = upload.read(camt.DEFAULT_MAX_BYTES + 1)
        report = statements_upload(
            municipality=municipality, data=data, filename=upload.name or "", user=request.user
        )
        return Response(report.as_dict())
