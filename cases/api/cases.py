"""The case endpoints of docs/api.md: file a request, read a case, take a workflow action.
Thin: parse, call a service or selector, serialize; errors are raised and mapped once
(core/api.py)."""

import json
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import selectors
from cases.models import Actor, Attachment, Case
from cases.services import case_apply_action, case_submit
from cases.workflow import (
    APPLICANT_ACTIONS,
    CLERK_ACTIONS,
    PUBLIC_ACTIONS,
    ActionNotPermitted,
    allowed_actions,
)
from core.api import JSONParser
from core.errors import Invalid
from core.throttling import ScopedRateThrottle
from identity.selectors import current_identity
from municipalities.selectors import municipality_by_slug
from payments.api import ACCESS_TOKEN_PARAMETERS, access_token_of
from payments.selectors import payment_status_for


class ApplicantSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.EmailField()


class SubmissionSerializer(serializers.Serializer):
    """Documents the request body; validation itself is the form engine's (catalog/forms/)."""

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
    """The JSON body, or the `payload` part of a multipart body (docs/api.md)."""
    if request.content_type and request.content_type.startswith("multipart/"):
        raw = request.data.get("payload")
        if raw is None:
            raise Invalid(errors={"payload": ["A multipart submission needs a part “payload”."]})
        try:
            payload = json.loads(raw if isinstance(raw, str) else raw.read())
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise Invalid(errors={"payload": ["The payload is not valid JSON."]}) from exc
    else:
        payload = request.data
    if not isinstance(payload, dict):
        raise Invalid(errors={"non_field_errors": ["The body must be a JSON object."]})
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
        summary="File a request (no account needed unless the service has a trust level)",
    )
    def post(self, request: Request, slug: str) -> Response:
        municipality = municipality_by_slug(slug)
        payload = _submission_payload(request)
        service_key = payload.get("service")
        if not isinstance(service_key, str) or not service_key:
            raise Invalid(errors={"service": ["This field is required."]})
        files = {name: request.FILES.getlist(name) for name in request.FILES}
        submitted = case_submit(
            municipality=municipality,
            service_key=service_key,
            applicant=payload.get("applicant"),
            data=payload.get("data", {}),
            files=files,
            language=request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else "de",
            # A citizen signed in through /saml2/login/ in this session (docs/identity.md).
            identity=current_identity(request),
        )
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
    quarantined = serializers.SerializerMethodField()

    def get_quarantined(self, attachment: Attachment) -> bool:
        """True when the virus check found malware in the stored file: it is withheld."""
        return attachment.quarantined_at is not None


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
    due_date = serializers.DateField(allow_null=True)
    submitted_at = serializers.DateTimeField()
    identity_level = serializers.CharField(
        help_text="The trust level the applicant was identified at with BundID (none: anonymous)"
    )
    identified_at = serializers.DateTimeField(allow_null=True)
    allowed_actions = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    @extend_schema_field(ApplicantSerializer)
    def get_applicant(self, case: Case) -> dict[str, str]:
        return {"name": case.applicant_name, "email": case.applicant_email}

    def get_currency(self, case: Case) -> str:
        return "EUR"

    def get_payment_status(self, case: Case) -> str | None:
        return payment_status_for(case)

    def get_allowed_actions(self, case: Case) -> list[str]:
        return allowed_actions(case.status, self.context["role"])

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, case: Case) -> list[dict[str, Any]]:
        attachments = case.attachments.all()
        if self.context["role"] != Actor.CLERK:
            attachments = attachments.filter(public=True)
        return AttachmentSerializer(attachments, many=True).data

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, case: Case) -> list[dict[str, Any]]:
        public_only = self.context["role"] != Actor.CLERK
        return EventSerializer(selectors.events_for(case, public_only=public_only), many=True).data


class CaseDetail(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "tracking"

    @extend_schema(parameters=ACCESS_TOKEN_PARAMETERS, responses=CaseDetailSerializer)
    def get(self, request: Request, reference: str) -> Response:
        case, role = selectors.case_for_request(request.user, reference, access_token_of(request))
        return Response(CaseDetailSerializer(case, context={"role": role}).data)


class ActionConflictSerializer(serializers.Serializer):
    """The 409 of an action the workflow does not allow: why, and the case's status now."""

    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    status = serializers.ChoiceField(choices=Case.Status.choices)


class ActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class CaseAction(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        parameters=ACCESS_TOKEN_PARAMETERS,
        request=ActionSerializer,
        responses={200: CaseDetailSerializer, 409: ActionConflictSerializer},
        summary="Take a workflow action (clerk: claim, unassign, note, request_info, approve, "
        "reject; citizen: respond, withdraw)",
    )
    def post(self, request: Request, reference: str) -> Response:
        case, role = selectors.case_for_request(request.user, reference, access_token_of(request))
        serializer = ActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        action = serializer.validated_data["action"]
        if action not in PUBLIC_ACTIONS:
            raise Invalid(
                errors={"action": [f"Unknown action. Use one of: {', '.join(PUBLIC_ACTIONS)}."]}
            )
        if action not in (CLERK_ACTIONS if role == Actor.CLERK else APPLICANT_ACTIONS):
            raise ActionNotPermitted("case not found")
        files = {"files": request.FILES.getlist("files")} if request.FILES else None
        # A refused transition answers 409 with the case's status as the row lock saw it.
        case = case_apply_action(
            case=case,
            action=action,
            actor_kind=role,
            actor=request.user if role == Actor.CLERK else None,
            comment=serializer.validated_data.get("comment", ""),
            files=files,
        )
        case = selectors.case_base().get(pk=case.pk)
        return Response(CaseDetailSerializer(case, context={"role": role}).data)
