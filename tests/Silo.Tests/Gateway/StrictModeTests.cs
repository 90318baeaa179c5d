using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansTenancy.Silo.Tests.Gateway;

public sealed class StrictModeTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync(strict: true);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Without_context_a_chat_is_401_and_records_no_llm_metrics()
    {
        using var client = _host.CreateClient();
        using var measurements = _host.Measure();

        using var response = await client.SendAsync(Post(apiKey: null, stream: false));
        using var streamed = await client.SendAsync(Post(apiKey: null, stream: true), HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, streamed.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("tenant_context_missing", error.GetProperty("code").GetString());
        Assert.Contains("Strict tenancy", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(measurements.All);
        Assert.Equal(0, _host.Simulator.Requests.Count);
    }

    [Fact]
    public async Task Without_context_models_is_401()
    {
        using var client = _host.CreateClient();

        using var response = await client.GetAsync(new Uri("/v1/models", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_tenant_key_is_served_in_strict_mode_and_counted_for_its_workspace()
    {
        using var client = _host.CreateClient();
        using var measurements = _host.Measure();

        using var response = await client.SendAsync(Post(_host.StaffKey, stream: false));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("acme:staff", response.Headers.GetValues("X-Tenant-Context").Single());
        var request = Assert.Single(measurements.All, m => m.Instrument == "llm_requests_total");
        Assert.Equal(("acme", "staff", "ok"), (request.Tag("tenant"), request.Tag("workspace"), request.Tag("status")));
        Assert.Contains("llm_requests_total{", await _host.ScrapeMetricsAsync(), StringComparison.Ordinal);
    }

    private static HttpRequestMessage Post(string? apiKey, bool stream)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "openai/gpt-4o-mini", stream, messages = new[] { new { role = "user", content = "hi" } } }),
        };
        if (apiKey is not null)
        {
            request.Headers.Add("Authorization", "Bearer " + apiKey);
        }

        return request;
    }
}
