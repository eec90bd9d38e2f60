"""Operations: backup and restore, health/readiness, Prometheus metrics, logs."""
