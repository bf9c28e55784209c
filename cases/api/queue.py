"""The clerk's queue of docs/api.md (GET /api/v1/queue/): filters and keyset pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import queue
from cases.models import Case
from cases.queue import QueueFilters, QueuePosition
from core.errors import Invalid


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
    due_date = serializers.DateField(allow_null=True)
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
        raise Invalid(errors={"cursor": ["Invalid cursor."]})
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
        cases = queue.queue_for(request.user, filters=QueueFilters(**params.validated_data))
        page = queue.queue_page(
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
