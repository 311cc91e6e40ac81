from django.db import connection

from apps.core import crypto


class TestEncryptionAtRest:
    def test_it_stores_no_plain_number(self, resident_a):
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM people_person WHERE id = %s", [resident_a.pk])
            row = " ".join(str(v) for v in cursor.fetchone())
        assert "360732194501011234" not in row
        assert "13812345678" not in row

    def test_it_decrypts_with_the_key(self, resident_a):
        assert crypto.decrypt(resident_a.id_number_enc) == "360732194501011234"

    def test_it_masks_id_number_and_phone(self, resident_a):
        assert resident_a.id_number_masked == "3****************4"
        assert resident_a.phone_masked == "138****5678"
        assert resident_a.phone_suffix == "5678"
