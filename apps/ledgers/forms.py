"""The upload form of a ledger import."""

from django import forms
from django.conf import settings

from .choices import LedgerKind
from .readers import LedgerFileError, file_kind


class ImportJobForm(forms.Form):
    kind = forms.ChoiceField(label="台账类型", choices=LedgerKind.choices)
    file = forms.FileField(label="文件（.xlsx 或 .csv）")
    dry_run = forms.BooleanField(label="仅校验（预览），不写入", required=False, initial=True)

    def __init__(self, *args, kinds: list[tuple[str, str]] | None = None, **kwargs):
        """`kinds`: the (kind, title) pairs the account may import (built-in and registered);
        without it, the built-in ledgers."""
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        if kinds is not None and isinstance(field, forms.ChoiceField):
            field.choices = kinds

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            file_kind(upload.name)
        except LedgerFileError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if upload.size > settings.LEDGER_UPLOAD_MAX_BYTES:
            limit = settings.LEDGER_UPLOAD_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"文件超过{limit}MB，请拆分后导入或使用命令行导入")
        return upload
