"""Uploaded files are never stored past the import size limit.

Django reads a whole upload to memory or a temporary file before any view can look at it.
This handler, first in FILE_UPLOAD_HANDLERS, drops a file as soon as it passes
PLAN_IMPORT_MAX_BYTES (the largest file any page accepts), so an oversized upload cannot fill
the disk, and marks the request so the page can say why the file is missing.
"""

from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from plans.importing import max_bytes


class SizeLimitHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_bytes():
            self.request.upload_too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None
