using System.Net;
using System.Text;
using OrleansTenancy.Cli.Client;
using OrleansTenancy.Cli.Commands;

namespace OrleansTenancy.Cli.Tests;

public sealed class TenancyAdminClientTests
{
    [Fact]
    public async Task An_error_that_is_not_problem_details_keeps_the_status_line_and_body()
    {
        using var http = new HttpClient(new Answer(HttpStatusCode.BadGateway, "<html>upstream down</html>", "text/html")) { BaseAddress = new Uri("http://silo.test") };
        var client = new TenancyAdminClient(http);

        var error = await Assert.ThrowsAsync<TenancyAdminException>(() => client.ListTenantsAsync());

        Assert.Equal(HttpStatusCode.BadGateway, error.Status);
        Assert.StartsWith("502", error.Title, StringComparison.Ordinal);
        Assert.Equal("<html>upstream down</html>", error.Detail);
    }

    [Fact]
    public async Task Problem_details_title_and_detail_are_kept_and_the_admin_key_is_sent_as_a_bearer_token()
    {
        var handler = new Answer(HttpStatusCode.NotFound, """{"title":"Unknown tenant","detail":"Tenant 'x' is not in the registry.","status":404}""", "application/problem+json");
        using var http = new HttpClient(handler) { BaseAddress = new Uri("http://silo.test/") };
        var client = new TenancyAdminClient(http, "secret-key");

        var error = await Assert.ThrowsAsync<TenancyAdminException>(() => client.GetBudgetAsync("x y"));

        Assert.Equal("Unknown tenant", error.Title);
        Assert.Equal("Tenant 'x' is not in the registry.", error.Detail);
        Assert.Equal("Bearer secret-key", handler.Authorization);
        Assert.Equal("/admin/tenants/x%20y/budget", handler.Path);
    }

    [Fact]
    public async Task Json_that_is_not_the_admin_api_names_the_route_and_the_address()
    {
        using var http = new HttpClient(new Answer(HttpStatusCode.OK, "[1,2,3]", "application/json")) { BaseAddress = new Uri("http://elsewhere.test") };
        var client = new TenancyAdminClient(http);

        var error = await Assert.ThrowsAsync<TenancyAdminException>(() => client.GetHealthAsync());

        Assert.Contains("GET /healthz", error.Message);
        Assert.Contains("http://elsewhere.test/", error.Message);
    }

    [Fact]
    public async Task Update_budget_merges_the_changes_into_the_override_and_keeps_fields_this_client_does_not_know()
    {
        var handler = new Answer(HttpStatusCode.OK, """
            {"tenant":"x","configured_limits":{},"override":{"daily_cap_usd":7,"enforcement":"soft","workspace_caps":{"a":1}},
             "status":{"as_of":"2026-12-01T00:00:00Z","time_zone_id":"UTC","enforcement":"soft","open_reservations":0,"limits":[]}}
            """, "application/json");
        using var http = new HttpClient(handler) { BaseAddress = new Uri("http://silo.test/") };
        var client = new TenancyAdminClient(http);

        await client.UpdateBudgetAsync("x", new BudgetLimits { MonthlyCapUsd = 70m, Enforcement = "hard" });

        Assert.Equal([(HttpMethod.Get, (string?)null), (HttpMethod.Put, """{"daily_cap_usd":7,"enforcement":"hard","workspace_caps":{"a":1},"monthly_cap_usd":70}""")], handler.Requests);
    }

    [Fact]
    public void Exit_codes_tell_the_failures_apart()
    {
        var codes = new[]
        {
            ExitCodes.ForStatus(HttpStatusCode.BadRequest), ExitCodes.Usage, ExitCodes.Unreachable, ExitCodes.ForStatus(HttpStatusCode.NotFound),
            ExitCodes.ForStatus(HttpStatusCode.Unauthorized), ExitCodes.ForStatus(HttpStatusCode.BadGateway),
        };

        Assert.Equal([ExitCodes.Refused, ExitCodes.Usage, ExitCodes.Unreachable, ExitCodes.NotFound, ExitCodes.Unauthorized, ExitCodes.SiloFailed], codes);
        Assert.Equal(codes.Length + 1, codes.Append(ExitCodes.Ok).Distinct().Count());
        Assert.Equal(ExitCodes.Unauthorized, ExitCodes.ForStatus(HttpStatusCode.Forbidden));
        Assert.Equal(ExitCodes.Refused, ExitCodes.ForStatus(HttpStatusCode.Conflict));
    }

    private sealed class Answer(HttpStatusCode status, string body, string mediaType) : HttpMessageHandler
    {
        public string? Authorization { get; private set; }

        public string? Path { get; private set; }

        public List<(HttpMethod Method, string? Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Authorization = request.Headers.Authorization?.ToString();
            Path = request.RequestUri?.AbsolutePath;
            Requests.Add((request.Method, request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken)));
            return new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
        }
    }
}
