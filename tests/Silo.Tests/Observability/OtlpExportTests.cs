using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using OrleansTenancy.Grains.Telemetry;
using OrleansTenancy.Silo.Observability;
using OrleansTenancy.Tenancy;

namespace OrleansTenancy.Silo.Tests.Observability;

public sealed class OtlpExportTests
{
    [Fact]
    public async Task Configured_endpoint_receives_llm_metrics_over_otlp_http()
    {
        // A model name no other test uses identifies this test's export among any others in the process.
        var model = "otlp-test-" + Guid.NewGuid().ToString("N");
        var arrived = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var receiver = await StartReceiverAsync("/v1/metrics", body =>
        {
            if (Contains(body, model) && Contains(body, "llm_requests_total"))
                arrived.TrySetResult(body);
        });

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Telemetry:OtlpEndpoint"] = BaseAddress(receiver).ToString(),
            ["Telemetry:OtlpProtocol"] = "HttpProtobuf",
            ["Telemetry:OtlpExportInterval"] = "00:00:00.100",
            ["Telemetry:ExportTraces"] = "false",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddTenancyMetrics(configuration).BuildServiceProvider();
        await using (services)
        {
            foreach (var hosted in services.GetServices<IHostedService>())
                await hosted.StartAsync(CancellationToken.None);

            services.GetRequiredService<LlmMetrics>()
                .RecordRequest(new TenantContext("acme", "research"), model, "ok", TimeSpan.FromSeconds(1), 10, 5, 0.01m, 0.01m);

            var body = await arrived.Task.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.True(Contains(body, "OrleansTenancy.Llm"), "The export should name the meter (instrumentation scope).");
            Assert.True(Contains(body, "acme"), "The export should carry the tenant attribute.");
        }
    }

    [Fact]
    public async Task Activities_from_tenancy_sources_and_aspnetcore_requests_are_exported_as_traces_when_the_host_stops()
    {
        var operation = "otlp-trace-test-" + Guid.NewGuid().ToString("N");
        var request = "otlp-request-test-" + Guid.NewGuid().ToString("N");
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new List<byte[]>();
        await using var receiver = await StartReceiverAsync("/v1/traces", body =>
        {
            lock (seen)
            {
                seen.Add(body);
                if (seen.Any(b => Contains(b, operation)) && seen.Any(b => Contains(b, request)))
                    arrived.TrySetResult();
            }
        });
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Telemetry:OtlpEndpoint"] = BaseAddress(receiver).ToString(),
            ["Telemetry:OtlpProtocol"] = "HttpProtobuf",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddTenancyMetrics(configuration).BuildServiceProvider();
        foreach (var hosted in services.GetServices<IHostedService>())
            await hosted.StartAsync(CancellationToken.None);

        using (var source = new ActivitySource("OrleansTenancy.Test." + Guid.NewGuid().ToString("N")))
        using (var activity = source.StartActivity(operation))
            Assert.NotNull(activity); // the OTLP tracer provider is listening to the prefix

        // ASP.NET Core's request spans, the parents of the grain calls a request makes, on the source it starts them on.
        using (var aspNetCore = new ActivitySource("Microsoft.AspNetCore"))
        using (var activity = aspNetCore.StartActivity(request, ActivityKind.Server))
            Assert.NotNull(activity);

        // Disposing the container disposes the tracer provider, which flushes the pending batch.
        await services.DisposeAsync();
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public void Without_an_endpoint_nothing_is_exported()
    {
        var services = new ServiceCollection().AddLogging()
            .AddTenancyMetrics(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                // An empty variable in configuration overrides the process environment, keeping the test hermetic.
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
            }).Build());

        // The metrics pipeline is there for /metrics; nothing in it or beside it is an OTLP exporter.
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(TracerProvider));
        Assert.DoesNotContain(services, d => (d.ImplementationType ?? d.ServiceType).FullName!.Contains("Otlp", StringComparison.Ordinal));
    }

    [Fact]
    public void An_endpoint_that_is_not_an_http_address_is_rejected_naming_the_setting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Telemetry:OtlpEndpoint"] = "collector:4317",
        }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddTenancyMetrics(configuration));
        Assert.Contains("Telemetry:OtlpEndpoint is 'collector:4317'", error.Message, StringComparison.Ordinal);
    }

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    private static async Task<WebApplication> StartReceiverAsync(string path, Action<byte[]> onExport)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapPost(path, async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            onExport(buffer.ToArray());
            // An empty export response is a zero-length protobuf message.
            context.Response.ContentType = "application/x-protobuf";
            context.Response.StatusCode = StatusCodes.Status200OK;
        });
        await app.StartAsync();
        return app;
    }

    private static Uri BaseAddress(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
