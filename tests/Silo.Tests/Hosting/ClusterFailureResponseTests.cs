using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using OrleansTenancy.Silo.Hosting;

namespace OrleansTenancy.Silo.Tests.Hosting;

/// <summary>What a caller gets when a grain call fails for longer than the retry budget, and when anything else fails.</summary>
public sealed class ClusterFailureResponseTests
{
    [Fact]
    public async Task A_grain_the_cluster_could_not_reach_is_a_503_to_retry_with_the_same_request_id()
    {
        await using var app = await StartAsync(() => throw new SiloUnavailableException("silo S127.0.0.1:11113:1 is dead"));
        using var response = await app.GetTestClient().PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("cluster_unavailable", error.GetProperty("code").GetString());
        Assert.Contains("same X-Request-Id", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Any_other_failure_stays_a_500()
    {
        await using var app = await StartAsync(() => throw new InvalidOperationException("a bug"));
        using var response = await app.GetTestClient().PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Null(response.Headers.RetryAfter);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("internal_error", error.GetProperty("code").GetString());
    }

    private static async Task<WebApplication> StartAsync(Action fail)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddProblemDetails();
        var app = builder.Build();
        app.UseTenancyErrorResponses();
        app.MapPost("/v1/chat/completions", () =>
        {
            fail();
            return "unreachable";
        });
        await app.StartAsync();
        return app;
    }
}
