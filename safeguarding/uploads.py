"""Uploaded files are stored only for a request that can use them, and never past the import
size limit for the request as a whole.

Django reads a request's files to memory or to temporary files while it parses the body, and
that happens before any view can look at them (the CSRF check reads the form first). This
handler, first in FILE_UPLOAD_HANDLERS, decides before the first file is stored:

- a file is kept only for a view marked `@accepts_uploads(check)` and only when
  `check(request, **url_kwargs)` passes (a signed-in officer of that partnership); for any
  other request (anonymous, another page, a reader) no file is stored at all;
- across all the files of one request no more than PLAN_IMPORT_MAX_BYTES (the largest file
  any page accepts) are kept: the file that passes the limit is dropped as it arrives, and so
  is every later one, and the request is marked so the page can say why the file is missing.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.urls import Resolver404, resolve


def accepts_uploads(check):
    """Mark a view as one that takes files, from people for whom `check(request, **kwargs)`
    is true. Put it outermost, above @login_required."""

    def mark(view):
        view.accepts_uploads = check
        return view

    return mark


def upload_allowed(request):
    """Whether this request's files may be stored at all (see the module docstring)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    check = getattr(match.func, "accepts_uploads", None)
    return check is not None and bool(check(request, *match.args, **match.kwargs))


class SizeLimitHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.allowed = upload_allowed(self.request)
        self.received = 0
        # None: Django goes on to parse the body, fields as usual; files are decided below.

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if not self.allowed:
            raise SkipFile  # before any later handler has opened a file for it
        if self.received >= settings.PLAN_IMPORT_MAX_BYTES:
            self.request.upload_too_large = True
            raise SkipFile

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.PLAN_IMPORT_MAX_BYTES:
            self.request.upload_too_large = True
            raise SkipFile  # Django closes (and so deletes) what was kept of this file
        return raw_data

    def file_complete(self, file_size):
        return None
