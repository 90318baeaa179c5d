using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansTenancy.Silo.Tests.Observability;

/// <summary>The logging levels of the shipped <c>silo/appsettings.json</c>, as the silo reads them.</summary>
public sealed class ShippedLoggingTests
{
    [Fact]
    public void Hosting_diagnostics_are_off_so_a_request_makes_no_activity_while_server_errors_are_still_logged()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(RepositoryRoot.Find(), "silo", "appsettings.json"), optional: false)
            .Build();
        using var services = new ServiceCollection()
            .AddLogging(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddProvider(new EnabledOnlyProvider()))
            .BuildServiceProvider();
        var loggers = services.GetRequiredService<ILoggerFactory>();

        // ASP.NET Core starts an activity for every request whenever this category logs at any level, even with no
        // listener: one activity, its tags and the trace context copied into every grain call, per request.
        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Critical));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Error));
        Assert.True(loggers.CreateLogger("OrleansTenancy.Grains.Routing.LlmRouter").IsEnabled(LogLevel.Information));
    }

    // Filters apply per provider; one that is always enabled leaves the configured levels as the only filter.
    private sealed class EnabledOnlyProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new EnabledLogger();

        public void Dispose()
        {
        }

        private sealed class EnabledLogger : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
            }
        }
    }
}
