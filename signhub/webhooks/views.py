"""The placeholder receiver: the URL exists (so it can be registered), deliveries are refused."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


@csrf_exempt
@require_POST
def receive(request: HttpRequest, key: str) -> JsonResponse:
    return JsonResponse(
        {"code": "webhooks_not_enabled", "message": "signhub does not process webhooks yet."},
        status=404,
    )
