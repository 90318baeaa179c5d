using System.Net;
using System.Net.Http.Json;

namespace OrleansTenancy.Silo.Tests.Gateway;

/// <summary><c>llm_model_selected_total</c> names the provider that served the call, not a preference.</summary>
public sealed class ModelSelectedMetricTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_provider_label_is_the_provider_upstream_reports()
    {
        _host.Simulator.State.Defaults = _host.Simulator.State.Defaults with { Provider = "Fireworks" };
        using var measurements = _host.Measure();
        using var client = _host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Headers = { { "Authorization", "Bearer " + _host.StaffKey } },
            Content = JsonContent.Create(new
            {
                model = "openai/gpt-4o-mini",
                messages = new[] { new { role = "user", content = "which provider?" } },
                provider = new { order = new[] { "azure", "openai" } },
            }),
        };

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var selected = Assert.Single(measurements.All, m => m.Instrument == "llm_model_selected_total");
        Assert.Equal(("acme", "staff", "openai/gpt-4o-mini", "Fireworks"), (selected.Tag("tenant"), selected.Tag("workspace"), selected.Tag("model"), selected.Tag("provider")));
    }
}
