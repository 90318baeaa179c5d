using System.Net;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace OrleansTenancy.Silo.Tests.Gateway;

/// <summary>
/// Generated malformed bodies, headers, path segments and query strings sent to every route: the silo answers each with
/// a status below 500, and every error carries a body. Bounded (a few hundred requests through the in-process host).
/// </summary>
public sealed class MalformedInputPropertyTests : IAsyncLifetime
{
    private static readonly string[] Fragments =
    [
        "null", "true", "false", "0", "-5", "1.5", "-0.0", "1e400", "-1e400", "99999999999999999999999", "1.234567e-28",
        "\"\"", "\"x\"", "\"5\"", "\"\\u0001\"", "\"caf\u00e9\"", "\"<b>'q'</b>\"", "[]", "[null]", "[1]", "[\"\"]", "[{}]",
        "{}", "{\"a\":1}", "{\"role\":null}", "{\"role\":\"user\",\"content\":null}", "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":1}]}",
        "[{\"role\":\"user\",\"content\":\"hi\"}]", "[{\"role\":\"user\",\"content\":\"hi\"},null]", "\"openai/gpt-4o-mini\"", "\"auto\"",
        "[\"main\"]", "[\"main\",\"main\"]", "[\"Main\"]", "{\"daily_cap_usd\":5}", "{\"daily_cap_usd\":\"5\"}", "{\"enforcement\":\"hard\"}", "\"acme\"", "\"hard\"",
    ];

    private static readonly string[] ChatFields =
    [
        "model", "messages", "max_tokens", "stream", "models", "temperature", "top_p", "provider", "usage", "user", "n",
        "stream_options", "max_completion_tokens", "tools", "response_format", "seed", "stop",
    ];

    private static readonly string[] AdminFields =
    [
        "daily_cap_usd", "monthly_cap_usd", "daily_tokens", "monthly_tokens", "daily_executions", "monthly_executions",
        "max_per_request", "enforcement", "inherit_global", "alert_thresholds", "dialy_cap_usd", "text", "metadata", "id",
        "name", "workspaces", "limits",
    ];

    private static readonly string[] Words =
    [
        "", " ", "acme", "default", "broke", "nope", "acme:staff:faq", "acme:support:faq", "faq", "..", "%2e%2e", "%0d%0a",
        "caf%C3%A9", "%FF", "0001-01-01", "9999-12-31", "2026-11-22", "today", "this_month", "-1", "0", "201", "abc", "1e400",
        "%3Cscript%3E", "'", "%22", "openai%2Fgpt-4o-mini", new string('x', 300),
    ];

    private static readonly string[] HeaderValues =
    [
        "", "x", "true", "maybe", "caf\u00e9", "a\u0001b", "\u00fc", "has space", new string('a', 200), "acme", "staff", "main",
        "1098765432109876543", "12", "-1", "<'\">", "\u2028",
    ];

    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public void No_generated_malformed_request_to_any_route_is_answered_with_a_5xx_or_an_empty_error()
    {
        var probes = from route in Gen.Choose(0, Routes.Length - 1)
                     from word in Gen.Elements(Words)
                     from query in Query()
                     from body in Body()
                     from auth in Gen.Choose(0, 4)
                     from count in Gen.Choose(0, 4)
                     from headers in Gen.ArrayOf(Header(), count)
                     from contentType in Gen.Elements("application/json", "text/plain", "application/x-www-form-urlencoded", "")
                     select new Probe(route, word, query, body, auth, headers, contentType);

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(probes.ToArbitrary(), probe => Send(probe).GetAwaiter().GetResult()));
    }

    private static readonly (string Method, string Path)[] Routes =
    [
        ("POST", "/v1/chat/completions"), ("POST", "/v1/chat/completions"), ("POST", "/v1/chat/completions"),
        ("GET", "/v1/models"), ("GET", "/v1/models/{w}"), ("GET", "/v1/memory"), ("POST", "/v1/memory/{w}"), ("GET", "/v1/memory/{w}"),
        ("DELETE", "/v1/memory/{w}"), ("DELETE", "/v1/memory/{w}/{w}"), ("GET", "/healthz"), ("GET", "/metrics"),
        ("GET", "/admin/tenants"), ("POST", "/admin/tenants/reload"), ("GET", "/admin/tenants/{w}/budget"), ("PUT", "/admin/tenants/{w}/budget"),
        ("PUT", "/admin/tenants/acme/budget"), ("DELETE", "/admin/tenants/{w}/budget"), ("POST", "/admin/tenants/{w}/reconcile"),
        ("GET", "/admin/tenants/{w}/usage"), ("GET", "/admin/tenants/acme/usage"), ("GET", "/admin/tenants/{w}/executions"),
        ("GET", "/admin/tenants/acme/executions"), ("PATCH", "/v1/chat/completions"), ("GET", "/{w}"),
        ("POST", "/admin/tenants"), ("POST", "/admin/tenants"), ("PUT", "/admin/tenants/{w}"), ("PUT", "/admin/tenants/acme"), ("DELETE", "/admin/tenants/{w}"),
    ];

    private async Task<bool> Send(Probe probe)
    {
        var (method, template) = Routes[probe.Route];
        var path = template.Replace("{w}", probe.Word, StringComparison.Ordinal) + probe.Query;
        using var client = _host.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        switch (probe.Auth)
        {
            case 1:
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + _host.StaffKey);
                break;
            case 2:
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + GatewayHost.AdminKey);
                break;
            case 3:
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer sk-\u00e9-garbage");
                break;
        }

        foreach (var (name, value) in probe.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(probe.Body));
            if (probe.ContentType.Length > 0)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", probe.ContentType);
            }
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode >= 500 || ((int)response.StatusCode >= 400 && string.IsNullOrWhiteSpace(text)))
        {
            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode} with '{text}' for {probe}");
        }

        return response.StatusCode != HttpStatusCode.InternalServerError;
    }

    private static Gen<string> Query() => Gen.OneOf(
        Gen.Constant(string.Empty),
        from key in Gen.Elements("period", "from", "to", "page_size", "cursor", "workspace", "limit", "q", "meta.lang", "meta.")
        from value in Gen.Elements(Words)
        from key2 in Gen.Elements("to", "from", "limit", "page_size")
        from value2 in Gen.Elements(Words)
        select $"?{key}={value}&{key2}={value2}");

    private static Gen<(string, string)> Header() =>
        from name in Gen.Elements("X-Request-Id", "X-Task", "X-Agent", "X-Downshift", "X-Tenant", "X-Workspace", "X-Discord-Guild-Id", "X-Admin-Key")
        from value in Gen.Elements(HeaderValues)
        select (name, value);

    /// <summary>A JSON object of known and unknown fields with valid and invalid values, truncated now and then, or junk.</summary>
    private static Gen<string> Body()
    {
        var member = from name in Gen.OneOf(Gen.Elements(ChatFields), Gen.Elements(AdminFields))
                     from value in Gen.Elements(Fragments)
                     select $"\"{name}\":{value}";
        var valid = Gen.Constant("\"model\":\"openai/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":20");
        var json = from keepValid in Gen.Elements(true, false)
                   from start in valid
                   from count in Gen.Choose(0, 4)
                   from members in Gen.ArrayOf(member, count)
                   select "{" + string.Join(",", (keepValid ? [start] : Array.Empty<string>()).Concat(members)) + "}";
        return Gen.Frequency(
            (6, json),
            (2, from body in json from cut in Gen.Choose(0, 40) select body[..Math.Min(cut, body.Length)]),
            (1, Gen.Elements(Fragments)),
            (1, Gen.Elements("", "not json", "\u0000\u0001", "{\"a\":", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]")));
    }

    private sealed record Probe(int Route, string Word, string Query, string Body, int Auth, (string Name, string Value)[] Headers, string ContentType)
    {
        public override string ToString() =>
            $"route {Route}, word '{Word}', query '{Query}', auth {Auth}, content type '{ContentType}', headers [{string.Join("; ", Headers.Select(h => $"{h.Name}: {h.Value}"))}], body {Body}";
    }
}
