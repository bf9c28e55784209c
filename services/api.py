"""The catalog, case and queue endpoints of API.md. Thin: parse, call, serialize."""

import json
from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core.api import JSONParser
from municipalities.selectors import municipality_by_slug
from services import selectors
from services.forms import UploadTooLarge
from services.models import Case
from services.selectors import Offer, QueueFilters, QueuePosition
from services.services import (
    ActionNotPermitted,
    SubmissionInvalid,
    case_apply_action,
    case_submit,
)
from services.workflow import (
    APPLICANT_ACTIONS,
    CLERK_ACTIONS,
    PUBLIC_ACTIONS,
    Actor,
    TransitionNotAllowed,
    UnknownAction,
)

ACCESS_TOKEN_PARAMETERS = [
    OpenApiParameter("access_token", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False),
    OpenApiParameter("X-Access-Token", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False),
]


def access_token_of(request: Request) -> str | None:
    return request.headers.get("X-Access-Token") or request.query_params.get("access_token")


def too_large(exc: UploadTooLarge) -> Response:
    return Response(
        {
            "detail": f"The file for {exc.field} is larger than {exc.limit // (1024 * 1024)} MB.",
            "errors": {f"data.{exc.field}": ["File too large."]},
        },
        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    )


# --- catalog ----------------------------------------------------------------------------


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
        municipality = municipality_by_slug(slug)
        offers = selectors.offers_for(municipality)
        return Response(OfferSerializer(offers, many=True).data)


# --- cases ------------------------------------------------------------------------------


class ApplicantSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.EmailField()


class SubmissionSerializer(serializers.Serializer):
    """Documents the request body; validation itself is the form engine's (services/forms.py)."""

    service = serializers.CharField()
    applicant = ApplicantSerializer()
    data = serializers.DictField(child=serializers.JSONField())


class SubmittedSerializer(serializers.Serializer):
    reference = serializers.CharField()
    access_token = serializers.CharField()
    status = serializers.CharField()
    service = serializers.CharField()
    municipality = serializers.CharField()
    processing_authority = serializers.CharField()
    fee_cents = serializers.IntegerField()
    currency = serializers.CharField()
    payment_required = serializers.BooleanField()
    tracking_url = serializers.CharField()


def _submission_payload(request: Request) -> dict[str, Any]:
    """The JSON body, or the `payload` part of a multipart body (API.md)."""
    if request.content_type and request.content_type.startswith("multipart/"):
        raw = request.data.get("payload")
        if raw is None:
            raise ValidationError({"payload": ["A multipart submission needs a part “payload”."]})
        try:
            payload = json.loads(raw if isinstance(raw, str) else raw.read())
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise ValidationError({"payload": ["The payload is not valid JSON."]}) from exc
    else:
        payload = request.data
    if not isinstance(payload, dict):
        raise ValidationError({"non_field_errors": ["The body must be a JSON object."]})
    return payload


class CaseCreate(APIView):
    parser_classes = [JSONParser, MultiPartParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "submissions"
    authentication_classes: list = []

    @extend_schema(
        request={
            "application/json": SubmissionSerializer,
            "multipart/form-data": OpenApiTypes.OBJECT,
        },
        responses={201: SubmittedSerializer},
        summary="File a request (no account needed)",
    )
    def post(self, request: Request, slug: str) -> Response:
        municipality = municipality_by_slug(slug)
        payload = _submission_payload(request)
        service_key = payload.get("service")
        if not isinstance(service_key, str) or not service_key:
            raise ValidationError({"service": ["This field is required."]})
        files = {name: request.FILES.getlist(name) for name in request.FILES}
        try:
            submitted = case_submit(
                municipality=municipality,
                service_key=service_key,
                applicant=payload.get("applicant"),
                data=payload.get("data", {}),
                files=files,
                language=request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else "de",
            )
        except SubmissionInvalid as exc:
            raise ValidationError(exc.errors) from exc
        except UploadTooLarge as exc:
            return too_large(exc)
        case = submitted.case
        return Response(
            SubmittedSerializer(
                {
                    "reference": case.reference,
                    "access_token": submitted.access_token,
                    "status": case.status,
                    "service": case.service.key,
                    "municipality": case.municipality.slug,
                    "processing_authority": case.processing_authority.slug,
                    "fee_cents": case.fee_cents,
                    "currency": "EUR",
                    "payment_required": case.fee_cents > 0,
                    "tracking_url": case.tracking_url,
                }
            ).data,
            status=status.HTTP_201_CREATED,
        )


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    type = serializers.CharField()
    to = serializers.CharField(source="to_status")
    comment = serializers.CharField()
    visibility = serializers.CharField()
    actor = serializers.CharField(source="actor_label")

    def get_fields(self) -> dict[str, serializers.Field]:
        # "from" is a Python keyword, so it cannot be declared above; declared here it
        # still shows in the OpenAPI schema.
        fields = super().get_fields()
        fields["from"] = serializers.CharField(source="from_status")
        return fields


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    field = serializers.CharField(source="field_name")
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class CaseDetailSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.CharField()
    service = serializers.CharField(source="service.key")
    service_version = serializers.IntegerField(source="service.version")
    municipality = serializers.CharField(source="municipality.slug")
    processing_authority = serializers.CharField(source="processing_authority.slug")
    applicant = serializers.SerializerMethodField()
    data = serializers.JSONField()
    fee_cents = serializers.IntegerField()
    currency = serializers.SerializerMethodField()
    payment_status = serializers.SerializerMethodField()
    assigned_to = serializers.CharField(
        source="assigned_to.username", allow_null=True, read_only=True
    )
    due_date = serializers.DateField()
    submitted_at = serializers.DateTimeField()
    allowed_actions = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    @extend_schema_field(ApplicantSerializer)
    def get_applicant(self, case: Case) -> dict[str, str]:
        return {"name": case.applicant_name, "email": case.applicant_email}

    def get_currency(self, case: Case) -> str:
        return "EUR"

    def get_payment_status(self, case: Case) -> str | None:
        from payments.selectors import payment_status_for_case

        return payment_status_for_case(case)

    def get_allowed_actions(self, case: Case) -> list[str]:
        from services.workflow import allowed_actions

        role = Actor.CLERK if self.context["role"] == "clerk" else Actor.APPLICANT
        return allowed_actions(case.status, role)

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, case: Case) -> list[dict[str, Any]]:
        attachments = case.attachments.all()
        if self.context["role"] != "clerk":
            attachments = attachments.filter(public=True)
        return AttachmentSerializer(attachments, many=True).data

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, case: Case) -> list[dict[str, Any]]:
        public_only = self.context["role"] != "clerk"
        return EventSerializer(selectors.events_for(case, public_only=public_only), many=True).data


class CaseDetail(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "tracking"

    @extend_schema(parameters=ACCESS_TOKEN_PARAMETERS, responses=CaseDetailSerializer)
    def get(self, request: Request, reference: str) -> Response:
        case, role = selectors.case_for_request(request.user, reference, access_token_of(request))
        return Response(CaseDetailSerializer(case, context={"role": role}).data)


class ActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class CaseAction(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        parameters=ACCESS_TOKEN_PARAMETERS,
        request=ActionSerializer,
        responses={200: CaseDetailSerializer, 409: OpenApiTypes.OBJECT},
        summary="Take a workflow action (clerk: claim, unassign, note, request_info, approve, "
        "reject; citizen: respond, withdraw)",
    )
    def post(self, request: Request, reference: str) -> Response:
        case, role = selectors.case_for_request(request.user, reference, access_token_of(request))
        serializer = ActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        action = serializer.validated_data["action"]
        if action not in PUBLIC_ACTIONS:
            raise ValidationError(
                {"action": [f"Unknown action. Use one of: {', '.join(PUBLIC_ACTIONS)}."]}
            )
        allowed = CLERK_ACTIONS if role == "clerk" else APPLICANT_ACTIONS
        if action not in allowed:
            raise Http404("case not found")
        files = {"files": request.FILES.getlist("files")} if request.FILES else None
        try:
            case = case_apply_action(
                case=case,
                action=action,
                actor_kind=Actor.CLERK if role == "clerk" else Actor.APPLICANT,
                actor=request.user if role == "clerk" else None,
                comment=serializer.validated_data.get("comment", ""),
                files=files,
            )
        except UnknownAction as exc:
            raise ValidationError({"action": ["Unknown action."]}) from exc
        except ActionNotPermitted as exc:
            raise Http404("case not found") from exc
        except TransitionNotAllowed as exc:
            return Response(
                {"detail": exc.message, "status": case.status}, status=status.HTTP_409_CONFLICT
            )
        except UploadTooLarge as exc:
            return too_large(exc)
        case = selectors._case_base().get(pk=case.pk)
        return Response(CaseDetailSerializer(case, context={"role": role}).data)


# --- queue ------------------------------------------------------------------------------


class QueueRowSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.CharField()
    service = serializers.CharField(source="service.key")
    service_name = serializers.CharField(source="service.display_name")
    municipality = serializers.CharField(source="municipality.slug")
    processing_authority = serializers.CharField(source="processing_authority.slug")
    applicant_name = serializers.CharField()
    assigned_to = serializers.CharField(
        source="assigned_to.username", allow_null=True, read_only=True
    )
    due_date = serializers.DateField()
    overdue = serializers.BooleanField(source="is_overdue")
    submitted_at = serializers.DateTimeField()


class QueueFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Case.Status.choices, required=False)
    service = serializers.SlugField(required=False)
    municipality = serializers.SlugField(required=False)
    assigned = serializers.ChoiceField(choices=["me", "none"], required=False)
    overdue = serializers.BooleanField(required=False, default=False)


class QueuePageParameters(serializers.Serializer):
    cursor = serializers.CharField(required=False, help_text="`next` or `previous` of a page")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)


class QueuePageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = QueueRowSerializer(many=True)


def _queue_cursor(raw: str | None) -> tuple[QueuePosition | None, QueuePosition | None]:
    """(after, before) from `cursor`: "a<position>" pages forward, "b<position>" back.
    Keyset pagination on (due_date, id): NULL due dates sort last on every database, and
    a deep page costs what the first does (DRF's CursorPagination does neither)."""
    if not raw:
        return None, None
    try:
        position = QueuePosition.decode(raw[1:])
    except ValueError:
        position = None
    if position is None or raw[0] not in "ab":
        raise ValidationError({"cursor": ["Invalid cursor."]})
    return (position, None) if raw[0] == "a" else (None, position)


class Queue(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[QueueFilterSerializer, QueuePageParameters],
        responses=QueuePageSerializer,
        summary="The clerk's queue: own cases and those delegated to the clerk's authority",
    )
    def get(self, request: Request) -> Response:
        params = QueueFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        paging = QueuePageParameters(data=request.query_params)
        paging.is_valid(raise_exception=True)
        after, before = _queue_cursor(paging.validated_data.get("cursor"))
        cases = selectors.queue_for(request.user, filters=QueueFilters(**params.validated_data))
        page = selectors.queue_page(
            cases, after=after, before=before, size=paging.validated_data["page_size"]
        )

        def link(prefix: str, position: QueuePosition | None) -> str | None:
            if position is None:
                return None
            query = request.query_params.copy()
            query["cursor"] = prefix + position.encode()
            return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

        return Response(
            {
                "next": link("a", page.next),
                "previous": link("b", page.previous),
                "results": QueueRowSerializer(page.rows, many=True).data,
            }
        )
