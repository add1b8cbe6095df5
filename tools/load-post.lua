-- wrk: the matter list's server function, as the browser app calls it.
wrk.method = "POST"
wrk.body = "query%5Bpage%5D=1"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
