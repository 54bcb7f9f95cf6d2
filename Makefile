.PHONY: demo test lint format stack bench bench-http bench-peer rehearse
demo:            ## set up and run the demo site on http://127.0.0.1:8000 (PORT=8001 make demo for another port)
	bash scripts/demo.sh
test:            ## set up, lint and run the whole test suite
	bash scripts/test.sh
format:          ## format and fix lint where it can
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .
stack:           ## the production-like stack (gunicorn, worker, beat) against PostgreSQL and Redis
	bash scripts/stack.sh
bench:           ## the benchmark workload (docs/benchmarks.md)
	bash scripts/bench.sh
bench-http:      ## the booking pages and the diary over HTTP under gunicorn vs a trivial view (docs/benchmarks.md)
	bash scripts/bench_http.sh
bench-peer:      ## our booking against the peer's (django-appointment) over HTTP, same client, same run (docs/benchmarks.md)
	bash scripts/bench_peer.sh
rehearse:        ## two web hosts, two workers, two beats, kill -9 mid-load; checks nothing is lost (docs/operations.md)
	bash scripts/rehearse.sh
