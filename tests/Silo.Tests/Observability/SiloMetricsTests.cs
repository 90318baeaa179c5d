using OpenAI.Chat;
using OrleansTenancy.Silo.Tests.Gateway;

namespace OrleansTenancy.Silo.Tests.Observability;

/// <summary>The silo's own <c>/metrics</c>: Orleans' meter is exported beside the product's, in text promtool accepts.</summary>
public sealed class SiloMetricsTests
{
    [Fact]
    public async Task The_silo_exports_orleans_series_beside_the_llm_metrics_and_promtool_accepts_them()
    {
        await using var host = await GatewayHost.StartAsync();
        await host.OpenAiChat(host.StaffKey).CompleteChatAsync([new UserChatMessage("Say hello")]);

        var body = await host.ScrapeMetricsAsync();

        Assert.Contains("# TYPE llm_requests_total counter\n", body, StringComparison.Ordinal);
        Assert.Contains("# TYPE orleans_catalog_activation_created_total counter\n", body, StringComparison.Ordinal);
        Assert.Contains("orleans_catalog_activation_created_total{grain_type=\"tenant\"}", body, StringComparison.Ordinal);
        var (exitCode, output) = await Promtool.CheckMetricsAsync(body);
        Assert.True(exitCode == 0 && output.Length == 0, $"promtool check metrics exited {exitCode} with:\n{output}\non:\n{body}");
    }
}
