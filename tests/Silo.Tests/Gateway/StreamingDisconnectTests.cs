using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansTenancy.OpenRouter.Simulator;

namespace OrleansTenancy.Silo.Tests.Gateway;

public sealed class StreamingDisconnectTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_client_that_disconnects_mid_stream_cancels_the_call_and_the_prompt_is_still_charged()
    {
        // A long, slow upstream stream: the client leaves after the first content event.
        _host.Simulator.State.Defaults = new SimulatorKnobs { Chunks = 50, ChunkDelayMs = 100 };
        using var measurements = _host.Measure(m => m.Instrument == "llm_requests_total" && m.Tag("status") == "cancelled");
        using var client = _host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Headers = { { "Authorization", "Bearer " + _host.StaffKey } },
            Content = JsonContent.Create(new { model = "openai/gpt-4o-mini", stream = true, messages = new[] { new { role = "user", content = "a long story" } } }),
        };

        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            string? line;
            while ((line = await reader.ReadLineAsync()) is not null && !line.Contains("\"content\"", StringComparison.Ordinal))
            {
            }

            Assert.NotNull(line);
        }

        await measurements.Seen.WaitAsync(TimeSpan.FromSeconds(10));
        using var budget = new HttpRequestMessage(HttpMethod.Get, "/admin/tenants/acme/budget") { Headers = { { "Authorization", "Bearer " + GatewayHost.AdminKey } } };
        using var budgetResponse = await client.SendAsync(budget);
        var body = await budgetResponse.Content.ReadAsStringAsync();
        Assert.True(budgetResponse.IsSuccessStatusCode, body);
        // Upstream's usage never arrived, so the router settles its own count of the prompt: more than nothing, and
        // the reservation is closed.
        var status = JsonDocument.Parse(body).RootElement.GetProperty("status");
        Assert.True(SpentToday(status) > 0m, body);
        Assert.Equal(0, status.GetProperty("open_reservations").GetInt32());
        Assert.Equal(1, _host.Simulator.Requests.Count);
    }

    private static decimal SpentToday(JsonElement status)
    {
        // The budget view lists every limit with its spent amount; the daily cost limit carries today's settled spend.
        foreach (var limit in status.GetProperty("limits").EnumerateArray())
        {
            if (limit.GetProperty("metric").GetString() == "cost_usd" && limit.GetProperty("period").GetString() == "day" && !limit.TryGetProperty("workspace", out _))
            {
                return limit.GetProperty("spent").GetDecimal();
            }
        }

        throw new InvalidOperationException("No daily cost limit in the budget status: " + status);
    }
}
