using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OrleansTenancy.Silo.Tests.Gateway;

/// <summary>The runtime budget override over HTTP: strict bodies, nothing stored on refusal, readable errors.</summary>
public sealed class BudgetApiTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_limit_finer_than_the_ledger_keeps_is_refused_stores_nothing_and_calls_go_on()
    {
        using var admin = _host.CreateAdminClient();

        using var put = await PutAsync(admin, """{"daily_cap_usd": 1.234567e-28}""");
        using var get = await admin.GetAsync(new Uri("/admin/tenants/acme/budget", UriKind.Relative));
        using var chat = await _host.CreateClient().SendAsync(Chat(_host.StaffKey));

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        var problem = await ProblemOf(put);
        Assert.Contains("daily_cap_usd", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.False((await get.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("override", out _));
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
    }

    [Fact]
    public async Task A_limit_with_many_decimals_computed_by_a_script_is_accepted()
    {
        using var admin = _host.CreateAdminClient();

        using var put = await PutAsync(admin, """{"daily_cap_usd": 0.000012333333333, "monthly_cap_usd": 3.3333333333333333}""");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
    }

    [Fact]
    public async Task A_misspelt_field_is_refused_naming_it_and_the_previous_override_stays()
    {
        using var admin = _host.CreateAdminClient();
        using (var first = await PutAsync(admin, """{"daily_cap_usd": 5, "enforcement": "hard"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var typo = await PutAsync(admin, """{"dialy_cap_usd": 6}""");
        var budget = await admin.GetFromJsonAsync<JsonElement>(new Uri("/admin/tenants/acme/budget", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, typo.StatusCode);
        var detail = (await ProblemOf(typo)).GetProperty("detail").GetString()!;
        Assert.Contains("'dialy_cap_usd'", detail, StringComparison.Ordinal);
        Assert.Contains("did you mean 'daily_cap_usd'", detail, StringComparison.Ordinal);
        Assert.Equal(5m, budget.GetProperty("override").GetProperty("daily_cap_usd").GetDecimal());
    }

    [Fact]
    public async Task Error_bodies_are_readable_json_without_escaped_quotes()
    {
        using var admin = _host.CreateAdminClient();

        using var response = await admin.GetAsync(new Uri("/admin/tenants/no-such-tenant/budget", UriKind.Relative));
        var raw = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("'no-such-tenant'", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0027", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateway_error_bodies_are_readable_json_without_escaped_quotes_or_angle_brackets()
    {
        using var client = _host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models/%3Cnone%3E") { Headers = { { "Authorization", "Bearer " + _host.StaffKey } } };

        using var response = await client.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("'<none>'", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u00", raw, StringComparison.Ordinal);
    }

    internal static Task<HttpResponseMessage> PutAsync(HttpClient admin, string body) =>
        admin.PutAsync(new Uri("/admin/tenants/acme/budget", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

    private static HttpRequestMessage Chat(string apiKey) => new(HttpMethod.Post, "/v1/chat/completions")
    {
        Headers = { { "Authorization", "Bearer " + apiKey } },
        Content = JsonContent.Create(new { model = "openai/gpt-4o-mini", messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 20 }),
    };

    /// <summary>The ProblemDetails body of an admin error; fails when the body is empty or not ProblemDetails.</summary>
    internal static async Task<JsonElement> ProblemOf(HttpResponseMessage response)
    {
        var raw = await response.Content.ReadAsStringAsync();
        Assert.False(string.IsNullOrWhiteSpace(raw), $"HTTP {(int)response.StatusCode} came with an empty body.");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(raw).RootElement.Clone();
        Assert.Equal((int)response.StatusCode, problem.GetProperty("status").GetInt32());
        return problem;
    }
}
