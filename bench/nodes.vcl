vcl 4.1;
# Two cinegraph nodes behind Varnish (README, "Running more than one node"):
# round robin, WebSockets piped through, answers cached as the nodes' own
# Cache-Control allows, and banned by surrogate key when a node purges.
import directors;

backend node1 { .host = "127.0.0.1"; .port = "8001"; }
backend node2 { .host = "127.0.0.1"; .port = "8002"; }

acl nodes { "127.0.0.1"; }

sub vcl_init {
  new cinegraph = directors.round_robin();
  cinegraph.add_backend(node1);
  cinegraph.add_backend(node2);
}

sub vcl_recv {
  set req.backend_hint = cinegraph.backend();
  if (req.method == "POST" && req.url == "/purge") {
    if (client.ip !~ nodes) { return (synth(403, "only the nodes purge")); }
    if (!req.http.Surrogate-Key) { return (synth(400, "no keys")); }
    ban("obj.http.Surrogate-Key ~ (^|\s)(" + regsuball(req.http.Surrogate-Key, "\s+", "|") + ")(\s|$)");
    return (synth(200, "purged"));
  }
  if (req.http.Upgrade ~ "(?i)websocket") {
    return (pipe);
  }
}

sub vcl_pipe {
  if (req.http.Upgrade) {
    set bereq.http.Upgrade = req.http.Upgrade;
    set bereq.http.Connection = req.http.Connection;
  }
}

sub vcl_deliver {
  if (obj.hits > 0) { set resp.http.X-Cache = "HIT"; } else { set resp.http.X-Cache = "MISS"; }
}
