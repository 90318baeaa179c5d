using System.Net;
using System.Text;
using OrleansTenancy.Cli.Client;

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

    private sealed class Answer(HttpStatusCode status, string body, string mediaType) : HttpMessageHandler
    {
        public string? Authorization { get; private set; }

        public string? Path { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Authorization = request.Headers.Authorization?.ToString();
            Path = request.RequestUri?.AbsolutePath;
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) });
        }
    }
}
