from django.test import Client


def test_the_login_page_names_the_product_and_the_running_campaign(world):
    page = Client().get("/login/").content.decode()
    assert "问题整改台账系统" in page and "测试活动" in page
    assert (
        Client().post("/login/", {"username": "office", "password": "pw-office"}).status_code == 302
    )
