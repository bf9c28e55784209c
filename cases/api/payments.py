"""Paying a case's fee (docs/api.md, Payments): the endpoints under
/api/v1/cases/<reference>/payments/. The case is found here, with the case's rules of who
may see it; the payment is then the payments app's business (payments/services/)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import Case
from cases.selectors import case_for_fee_desk, case_for_request
from core.throttling import ScopedRateThrottle
from payments.api import ACCESS_TOKEN_PARAMETERS, PaymentSerializer, access_token_of
from payments.models import Payment
from payments.services.creation import payment_create
from payments.services.desk import payment_mark_paid_at_counter
from payments.services.refunds import payment_refund

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Same key and body: the original answer; same key, other body: 409.",
)


def _of_case(payment: Payment, case: Case) -> Payment:
    """The payment the service returned (kept current by it), answered with the case found
    above and the case's town as payee in place of reading them again (docs/performance.md)."""
    payment.payable = case
    if payment.payee_municipality_id == case.municipality_id:
        payment.payee_municipality = case.municipality
    return payment


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
        created = payment_create(
            payable=case,
            provider_key=serializer.validated_data["provider"],
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            body={key: body[key] for key in sorted(body)},
            base_url=request.build_absolute_uri("/"),
        )
        return Response(
            PaymentSerializer(_of_case(created.payment, case), context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


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
        case = case_for_fee_desk(request.user, reference)
        serializer = CounterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = payment_mark_paid_at_counter(
            payable=case,
            receipt_number=serializer.validated_data["receipt_number"],
            user=request.user,
        )
        return Response(
            PaymentSerializer(_of_case(payment, case), context={"request": request}).data,
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
        case = case_for_fee_desk(request.user, reference)
        serializer = RefundSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refund = payment_refund(
            payable=case, user=request.user, comment=serializer.validated_data.get("comment", "")
        )
        return Response(
            {
                "payment": str(refund.payment_id),
                "status": refund.status,
                "amount_cents": refund.amount_cents,
                "currency": refund.currency,
                "payment_status": refund.payment.status,
            }
        )
