import os

from django.core.asgi import get_asgi_application

from kompetence.infra import runner

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kompetence.settings.local")

application = get_asgi_application()
# As in kompetence.wsgi: without a broker, work runs after the response.
runner.start()
