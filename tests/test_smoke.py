def test_home_page(client):
    r = client.get("/")
    assert r.status_code == 200


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
