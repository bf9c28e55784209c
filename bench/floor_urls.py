"""The framework floor of bench/submit.py: a bare DRF endpoint that parses a JSON body and
inserts one row into the same database — what any write endpoint costs at the least. Never
part of the portal's URLs: only bench/settings.py routes to it."""

import json

from django.db import connection
from django.urls import include, path
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

FLOOR_TABLE = "bench_floor"


class Floor(APIView):
    authentication_classes: list = []
    parser_classes = [JSONParser]

    def post(self, request: Request) -> Response:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {FLOOR_TABLE} (payload) VALUES (%s) RETURNING id",
                [json.dumps(request.data)],
            )
            row_id = cursor.fetchone()[0]
        return Response({"id": row_id}, status=201)


urlpatterns = [
    path("bench/floor/", Floor.as_view()),
    path("", include("portal.urls")),
]
