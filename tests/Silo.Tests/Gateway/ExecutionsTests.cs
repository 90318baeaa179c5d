using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OrleansTenancy.Silo.Tests.Gateway;

/// <summary>Executions list every request outcome, refusals (402, 403, 429) included, with their reason and no cost.</summary>
public sealed class ExecutionsTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Refusals_are_rows_with_their_reason_and_do_not_count_against_execution_limits()
    {
        using var admin = _host.CreateAdminClient();
        using (var put = await admin.PutAsync(new Uri("/admin/tenants/acme/budget", UriKind.Relative),
                   new StringContent("""{"daily_executions": 1, "enforcement": "hard"}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using var client = _host.CreateClient();
        using var forbidden = await client.SendAsync(Chat(_host.SupportKey, "openai/gpt-4o", "not-allowed-1"));
        using var served = await client.SendAsync(Chat(_host.SupportKey, "openai/gpt-4o-mini", "served-1"));
        using var denied = await client.SendAsync(Chat(_host.SupportKey, "openai/gpt-4o-mini", "over-limit-1"));

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode); // the 403 did not use up the one execution
        Assert.Equal(HttpStatusCode.PaymentRequired, denied.StatusCode);
        var rows = await ExecutionsAsync(admin, "acme");
        Assert.Equal(3, rows.Count);
        var refusedForbidden = Single(rows, "not-allowed-1~refused");
        Assert.Equal(("forbidden", "model_not_allowed", "support", "openai/gpt-4o"), (Text(refusedForbidden, "status"), Text(refusedForbidden, "reason"), Text(refusedForbidden, "workspace"), Text(refusedForbidden, "model")));
        Assert.Equal(0m, refusedForbidden.GetProperty("cost_usd").GetDecimal());
        Assert.Equal("ok", Text(rows.Single(r => Text(r, "request_id") == "served-1"), "status"));
        var refusedBudget = Single(rows, "over-limit-1~refused");
        Assert.Equal(("denied", "daily_executions"), (Text(refusedBudget, "status"), Text(refusedBudget, "reason")));

        var usage = await admin.GetFromJsonAsync<JsonElement>(new Uri("/admin/tenants/acme/usage", UriKind.Relative));
        Assert.Equal(1, usage.GetProperty("totals").GetProperty("executions").GetInt64());
        var reconcile = await admin.PostAsync(new Uri("/admin/tenants/acme/reconcile", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, reconcile.StatusCode);
    }

    [Fact]
    public async Task A_rate_limit_refusal_is_a_row()
    {
        using var admin = _host.CreateAdminClient();
        using var client = _host.CreateClient();

        using var first = await client.SendAsync(Chat(_host.BusyKey, "openai/gpt-4o-mini", "busy-1"));
        using var second = await client.SendAsync(Chat(_host.BusyKey, "openai/gpt-4o-mini", "busy-2"));

        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        var refused = Single(await ExecutionsAsync(admin, "busy"), "busy-2~refused");
        Assert.Equal(("rate_limited", "rate_limited"), (Text(refused, "status"), Text(refused, "reason")));
    }

    private static async Task<List<JsonElement>> ExecutionsAsync(HttpClient admin, string tenant)
    {
        var page = await admin.GetFromJsonAsync<JsonElement>(new Uri($"/admin/tenants/{tenant}/executions", UriKind.Relative));
        return [.. page.GetProperty("items").EnumerateArray()];
    }

    private static JsonElement Single(List<JsonElement> rows, string idPrefix) =>
        Assert.Single(rows, r => Text(r, "request_id")!.StartsWith(idPrefix, StringComparison.Ordinal));

    private static string? Text(JsonElement row, string field) => row.TryGetProperty(field, out var value) ? value.GetString() : null;

    private static HttpRequestMessage Chat(string key, string model, string requestId) => new(HttpMethod.Post, "/v1/chat/completions")
    {
        Headers = { { "Authorization", "Bearer " + key }, { "X-Request-Id", requestId } },
        Content = JsonContent.Create(new { model, messages = new[] { new { role = "user", content = "hi from " + requestId } }, max_tokens = 10 }),
    };
}
