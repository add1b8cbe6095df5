-- wrk: the matter list's server function, as the browser app calls it.
wrk.method = "POST"
wrk.body = "query%5Bq%5D="
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
