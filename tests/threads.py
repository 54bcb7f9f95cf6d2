"""Running calls at the same instant in threads, for concurrency tests against PostgreSQL."""

import threading

from django.db import connection


def run_together(calls, *, answers=(), timeout: float = 120):
    """Run each callable in its own thread, all released by one barrier; return (results, errors).

    An exception of a type in `answers` (a refusal such as `BookingError`) counts as a result;
    any other is an error. Each thread closes its own database connection.
    """
    barrier = threading.Barrier(len(calls))
    results, errors = [], []
    lock = threading.Lock()

    def worker(call):
        try:
            barrier.wait(timeout=30)
            outcome = call()
        except tuple(answers) as refusal:
            outcome = refusal
        except BaseException as error:
            with lock:
                errors.append(error)
            return
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results, errors
