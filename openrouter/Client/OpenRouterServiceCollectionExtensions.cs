using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansTenancy.OpenRouter;

/// <summary>Registers <see cref="OpenRouterClient"/> with dependency injection.</summary>
public static class OpenRouterServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> the client uses (infinite <c>HttpClient.Timeout</c>).</summary>
    public const string HttpClientName = "OpenRouter";

    /// <summary>
    /// Adds <see cref="OpenRouterOptions"/> built by <see cref="OpenRouterOptions.FromConfiguration(IConfiguration?)"/>
    /// (optionally adjusted by <paramref name="configure"/> and then validated) and a singleton
    /// <see cref="OpenRouterClient"/> using the registered <see cref="TimeProvider"/>, if any.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration root holding the <c>OpenRouter</c> section.</param>
    /// <param name="configure">Adjusts the options after configuration and environment were applied.</param>
    public static IServiceCollection AddOpenRouterClient(this IServiceCollection services, IConfiguration configuration, Action<OpenRouterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = OpenRouterOptions.FromConfiguration(configuration);
        configure?.Invoke(options);
        OpenRouterOptionsValidator.ThrowIfInvalid(options);
        services.AddSingleton(options);
        // The client enforces its own per-attempt timeout; HttpClient's would cut long streams. Calls are measured by
        // the LLM metrics and retries and failures logged by OpenRouterClient, so the factory's log handlers (four
        // entries per call) are removed. An API call is never redirected and carries no cookies.
        services.AddHttpClient(HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .RemoveAllLoggers();
        services.AddSingleton(provider => new OpenRouterClient(
            provider.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            provider.GetRequiredService<OpenRouterOptions>(),
            provider.GetService<TimeProvider>(),
            provider.GetService<ILoggerFactory>()?.CreateLogger<OpenRouterClient>()));
        return services;
    }
}
