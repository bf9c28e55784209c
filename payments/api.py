"""Payment endpoints of API.md. Thin: parse, call a service or selector, serialize."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from payments import camt, selectors
from payments.models import Payment
from payments.providers import girocode as girocode_provider
from payments.services import (
    PaymentConflict,
    payment_create,
    payment_data,
    payment_mark_paid_at_counter,
    payment_refund,
    statement_import,
)
from services.api import ACCESS_TOKEN_PARAMETERS, access_token_of
from services.selectors import case_for_request

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Same key and body: the original answer; same key, other body: 409.",
)


def conflict(exc: PaymentConflict) -> Response:
    return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)


class PayeeSerializer(serializers.Serializer):
    name = serializers.CharField(source="payee_name")
    iban = serializers.CharField(source="payee_iban")
    bic = serializers.CharField(source="payee_bic")
    municipality = serializers.CharField(source="payee_municipality.slug")


class PaymentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    case = serializers.CharField(source="case.reference")
    provider = serializers.CharField()
    method = serializers.CharField()
    status = serializers.CharField()
    amount_cents = serializers.IntegerField()
    currency = serializers.CharField()
    creditor_reference = serializers.CharField()
    kassenzeichen = serializers.CharField()
    payee = PayeeSerializer(source="*")
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, payment: Payment) -> dict[str, Any]:
        data = super().to_representation(payment)
        request = self.context.get("request")
        if payment.provider == "girocode":
            data["epc_payload"] = girocode_provider.payload_for(payment_data(payment))
            url = reverse("payments:qr", args=[payment.pk])
            data["qr_svg_url"] = request.build_absolute_uri(url) if request else url
        if payment.provider == "girocheckout":
            data["redirect_url"] = payment.redirect_url if payment.is_active else None
        if payment.provider == "counter":
            data["receipt_number"] = payment.receipt_number
        return data


class PaymentCreateSerializer(serializers.Serializer):
    provider = serializers.CharField(max_length=20)


class CasePayments(APIView):
    parser_classes = [JSONParser, FormParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "payments"

    @extend_schema(
        parameters=[*ACCESS_TOKEN_PARAMETERS, IDEMPOTENCY_PARAMETER],
        request=PaymentCreateSerializer,
        responses={201: PaymentSerializer, 409: OpenApiTypes.OBJECT},
        summary="Start paying a case's fee (girocode, girocheckout or counter)",
    )
    def post(self, request: Request, reference: str) -> Response:
        case, _role = case_for_request(request.user, reference, access_token_of(request))
        serializer = PaymentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        body = request.data if isinstance(request.data, dict) else {}
        try:
            created = payment_create(
                case=case,
                provider_key=serializer.validated_data["provider"],
                idempotency_key=request.headers.get("Idempotency-Key", ""),
                body={key: body[key] for key in sorted(body)},
                base_url=request.build_absolute_uri("/"),
            )
        except PaymentConflict as exc:
            return conflict(exc)
        payment = selectors.payments_for_case(case).get(pk=created.payment.pk)
        return Response(
            PaymentSerializer(payment, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class PaymentDetail(APIView):
    @extend_schema(parameters=ACCESS_TOKEN_PARAMETERS, responses=PaymentSerializer)
    def get(self, request: Request, payment_id: str) -> Response:
        payment = selectors.payment_for_request(request.user, payment_id, access_token_of(request))
        return Response(PaymentSerializer(payment, context={"request": request}).data)


class CounterSerializer(serializers.Serializer):
    receipt_number = serializers.CharField(max_length=40)


class CasePaidAtCounter(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        request=CounterSerializer,
        responses={201: PaymentSerializer, 409: OpenApiTypes.OBJECT},
        summary="Clerk: the fee was paid at the counter (with the till's receipt number)",
    )
    def post(self, request: Request, reference: str) -> Response:
        case = selectors.case_for_payment_clerk(request.user, reference)
        serializer = CounterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            payment = payment_mark_paid_at_counter(
                case=case,
                receipt_number=serializer.validated_data["receipt_number"],
                user=request.user,
            )
        except PaymentConflict as exc:
            return conflict(exc)
        payment = selectors.payments_for_case(case).get(pk=payment.pk)
        return Response(
            PaymentSerializer(payment, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class RefundSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class CaseRefund(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        request=RefundSerializer,
        responses={200: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
        summary="Clerk: refund the fee of a rejected case",
    )
    def post(self, request: Request, reference: str) -> Response:
        case = selectors.case_for_payment_clerk(request.user, reference)
        serializer = RefundSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            refund = payment_refund(
                case=case, user=request.user, comment=serializer.validated_data.get("comment", "")
            )
        except PaymentConflict as exc:
            return conflict(exc)
        return Response(
            {
                "payment": str(refund.payment_id),
                "status": refund.status,
                "amount_cents": refund.amount_cents,
                "currency": refund.currency,
                "payment_status": refund.payment.status,
            }
        )


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
        summary="Municipal admin: import a camt.053/.054 statement of the fee account",
    )
    def post(self, request: Request, slug: str) -> Response:
        municipality = selectors.municipality_for_treasury(request.user, slug)
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["Upload the statement as the part “file”."]})
        data = upload.read(camt.DEFAULT_MAX_BYTES + 1)
        try:
            report = statement_import(
                municipality=municipality, data=data, filename=upload.name or "", user=request.user
            )
        except camt.StatementError as exc:
            raise ValidationError({"file": [str(exc)]}) from exc
        return Response(report.as_dict())
