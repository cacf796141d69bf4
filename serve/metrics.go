package serve

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
)

// metrics are the server's Prometheus metrics, in a registry of its own (no
// global state: two servers in one process count separately).
type metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	inFlight     prometheus.Gauge
	queued       prometheus.Gauge
	audioSeconds prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "deep4deep_http_requests_total",
			Help: "HTTP requests answered, by endpoint and status code.",
		}, []string{"endpoint", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "deep4deep_http_request_duration_seconds",
			Help:    "Time from request to response, by endpoint.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"endpoint"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "deep4deep_http_in_flight_requests",
			Help: "Requests being answered now.",
		}),
		queued: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "deep4deep_scorer_queue_length",
			Help: "Requests waiting for a free scorer.",
		}),
		audioSeconds: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "deep4deep_audio_seconds_scored_total",
			Help: "Seconds of audio scored.",
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.inFlight, m.queued, m.audioSeconds,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// queuedValue reads the queue gauge (for tests).
func (m *metrics) queuedValue() float64 {
	var d dto.Metric
	m.queued.Write(&d)
	return d.GetGauge().GetValue()
}
