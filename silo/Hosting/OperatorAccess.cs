using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;

namespace OrleansTenancy.Silo.Hosting;

/// <summary>
/// The operator endpoints' rule (<see cref="AdminAuthorizationFilter.Decide"/>: the admin key, a dashboard session for
/// reads, or a local caller when no key is configured) as an authorization policy, so that any endpoint opts in with
/// <see cref="RequireTenancyAdmin"/> whatever produced it — <c>/admin/*</c>, <c>/metrics</c>, and an exporter's
/// endpoint mapped by a library, which an endpoint filter cannot reach.
/// </summary>
public static class OperatorAccess
{
    /// <summary>The name of the authorization policy.</summary>
    public const string Policy = "TenancyAdmin";

    /// <summary>Registers the policy and the writer of its refusals (in the error shape of the path, 401 or 403).</summary>
    public static IServiceCollection AddTenancyAdminAccess(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.AddRequirements(new AdminRequirement()));
        services.AddSingleton<IAuthorizationHandler, AdminRequirementHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AdminRefusalWriter>();
        return services;
    }

    /// <summary>Requires the admin key (or, without one configured, a local caller) for these endpoints.</summary>
    public static TBuilder RequireTenancyAdmin<TBuilder>(this TBuilder endpoints)
        where TBuilder : IEndpointConventionBuilder => endpoints.RequireAuthorization(Policy);

    /// <summary>Why <paramref name="http"/> may not use the operator endpoints (status and sentence), or <see langword="null"/> when it may.</summary>
    private static (int Status, string Message)? Refusal(HttpContext http, TenancyHostOptions options) =>
        AdminAuthorizationFilter.Decide(http, options.AdminKey) switch
        {
            AdminAccess.Granted => null,
            AdminAccess.LoopbackOnly => (StatusCodes.Status403Forbidden,
                "No admin key is configured (Tenancy:AdminKey), so operator endpoints (/admin, /metrics, /dashboard/orleans) answer only callers on this machine (loopback)."),
            _ => (StatusCodes.Status401Unauthorized,
                "Operator endpoints (/admin, /metrics, /dashboard/orleans) need the admin key: present it as 'Authorization: Bearer <key>'."),
        };

    private sealed class AdminRequirement : IAuthorizationRequirement;

    private sealed class AdminRequirementHandler(IOptions<TenancyHostOptions> options) : AuthorizationHandler<AdminRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AdminRequirement requirement)
        {
            if (context.Resource is HttpContext http && Refusal(http, options.Value) is null)
            {
                context.Succeed(requirement);
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// Answers a refused request with the error shape of its path instead of an authentication challenge (the silo has
    /// no authentication scheme; the key is checked by the policy itself).
    /// </summary>
    private sealed class AdminRefusalWriter(IOptions<TenancyHostOptions> options) : IAuthorizationMiddlewareResultHandler
    {
        private readonly AuthorizationMiddlewareResultHandler _default = new();

        public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
        {
            if (authorizeResult.Succeeded || !policy.Requirements.OfType<AdminRequirement>().Any()
                || Refusal(context, options.Value) is not { } refusal)
            {
                return _default.HandleAsync(next, context, policy, authorizeResult);
            }

            if (refusal.Status == StatusCodes.Status401Unauthorized)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
            }

            return ErrorResponses.WriteAsync(context, refusal.Status, refusal.Message);
        }
    }
}
