from django.urls import path

from . import views

app_name = "collective"

urlpatterns = [
    path("", views.index, name="index"),
    path("ranking/", views.ranking, name="ranking"),
    path("books/<int:pk>/", views.book, name="book"),
    path("books/<int:pk>/vouchers/", views.create_voucher, name="create_voucher"),
    path("books/<int:pk>/contracts/", views.create_contract, name="create_contract"),
    path("books/<int:pk>/statements.xlsx", views.export, name="export"),
    path("books/<int:pk>/approvals/", views.approvals, name="approvals"),
    path("books/<int:pk>/close/", views.close, name="close"),
    path("books/<int:pk>/registers/", views.registers, name="registers"),
    path("books/<int:pk>/registers/<str:what>/", views.register, name="register"),
    path("vouchers/<int:pk>/", views.voucher, name="voucher"),
    path("vouchers/<int:pk>/attachment/", views.attachment, name="attachment"),
    path("vouchers/<int:pk>/decide/", views.decide, name="decide"),
    path("vouchers/<int:pk>/submit/", views.submit, name="submit"),
    path("vouchers/<int:pk>/reverse/", views.reverse, name="reverse"),
    path("contracts/<int:pk>/", views.contract, name="contract"),
    path("contracts/<int:pk>/receive/", views.receive, name="receive"),
    path("open/<str:code>/", views.public, name="public"),
    path("open/<str:code>/ask/", views.ask, name="ask"),
    path("open/<str:code>/qr.svg", views.public_qr, name="public_qr"),
]
