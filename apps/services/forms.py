"""Forms of batch dispatch: the proposal's parameters and the confirmed pairs."""

from django import forms

from .batch import DEFAULT_K, DEFAULT_RADIUS_KM


class BatchForm(forms.Form):
    radius_km = forms.FloatField(
        label="服务半径(公里)", min_value=0.1, max_value=50, initial=DEFAULT_RADIUS_KM
    )
    k = forms.IntegerField(label="每人最多在办", min_value=1, max_value=20, initial=DEFAULT_K)


class ConfirmForm(forms.Form):
    pairs = forms.CharField(widget=forms.HiddenInput)

    def clean_pairs(self) -> list[tuple[int, int]]:
        try:
            pairs = [
                (int(c), int(u))
                for c, u in (item.split(":") for item in self.cleaned_data["pairs"].split(","))
            ]
        except ValueError as exc:
            raise forms.ValidationError("派单方案格式有误，请重新生成") from exc
        if len({c for c, _ in pairs}) != len(pairs):
            raise forms.ValidationError("同一工单在方案中出现多次")
        return pairs
