import os

from django.core.wsgi import get_wsgi_application

from kompetence.infra import runner

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kompetence.settings.local")

application = get_wsgi_application()
# Without a broker, the work a request sends (a plan's PDF, a report) runs on a
# background thread of this process after the response (kompetence.infra.runner).
runner.start()
