using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Resilience;
using OrleansTenancy.Silo.Gateway;
using OrleansTenancy.Tenancy.Memory;
using TenantContext = OrleansTenancy.Tenancy.TenantContext;

namespace OrleansTenancy.Silo.Apis;

/// <summary>
/// Workspace memory over HTTP, confined to the caller's own workspace. The namespace in the URL is the short name
/// (<c>faq</c>), stored as <c>&lt;tenant&gt;:&lt;workspace&gt;:faq</c>; a full namespace (one containing <c>':'</c>)
/// is accepted only when it is the caller's own, anything else is 403. Callers authenticate as for
/// <c>/v1/chat/completions</c> (see <see cref="CallerAuthenticator"/>).
/// </summary>
public static class MemoryApi
{
    /// <summary>The query parameter prefix of metadata filters: <c>meta.lang=de</c>.</summary>
    public const string MetadataQueryPrefix = "meta.";

    /// <summary>Maps <c>/v1/memory</c>.</summary>
    public static RouteGroupBuilder MapMemoryApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var memory = app.MapGroup("/v1/memory");
        memory.MapGet("/", ListNamespacesAsync)
            .WithName("ListMemoryNamespaces")
            .WithSummary("The caller's workspace namespaces that hold entries, with entry counts.");
        memory.MapPost("/{ns}", AddAsync)
            .WithName("AddMemory")
            .WithSummary("Adds an entry (or replaces the entry with the same id) in one of the caller's namespaces.");
        memory.MapGet("/{ns}", RetrieveAsync)
            .WithName("RetrieveMemory")
            .WithSummary("Entries of a namespace, newest first; q= substring, meta.<key>=<value> filters, limit= (1-100).");
        memory.MapDelete("/{ns}/{id}", DeleteAsync)
            .WithName("DeleteMemory")
            .WithSummary("Deletes one entry; 404 when the namespace holds no entry with that id.");
        memory.MapDelete("/{ns}", DeleteNamespaceAsync)
            .WithName("DeleteMemoryNamespace")
            .WithSummary("Deletes a whole namespace of the caller's workspace.");
        return memory;
    }

    /// <summary>Lists the caller's namespaces.</summary>
    public static async Task<IResult> ListNamespacesAsync(
        HttpContext http, [FromServices] CallerAuthenticator authenticator, [FromServices] IGrainFactory grains, [FromServices] GrainCallRetry retry)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(retry);
        if (!TryContext(http, authenticator, out var context, out var error))
        {
            return error;
        }

        var workspace = Workspace(grains, context);
        var namespaces = await retry.RunAsync(workspace.ListNamespacesAsync, $"memory namespaces {context}", http.RequestAborted);
        return TypedResults.Ok(new MemoryNamespaceList("list", [.. namespaces.Select(n => new MemoryNamespaceView(ShortName(context, n.Namespace), n.Namespace, n.EntryCount))]));
    }

    /// <summary>Adds an entry; the body is <see cref="MemoryAddBody"/> as JSON (read whatever the content type says).</summary>
    public static async Task<IResult> AddAsync(HttpContext http, string ns, [FromServices] CallerAuthenticator authenticator, [FromServices] IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(grains);
        if (!TryNamespace(http, authenticator, ns, out var context, out var full, out var error))
        {
            return error;
        }

        var (body, bodyError) = await MemoryAddBody.ReadAsync(http.Request.Body, http.RequestAborted);
        if (body is null)
        {
            return bodyError!;
        }

        return await Guarded(async () =>
        {
            var entry = await Workspace(grains, context).AddMemoryAsync(new MemoryAddRequest { Namespace = full, Text = body.Text!, Metadata = body.Metadata, Id = body.Id });
            return TypedResults.Created($"/v1/memory/{Uri.EscapeDataString(ns)}/{Uri.EscapeDataString(entry.Id)}", View(context, entry));
        });
    }

    /// <summary>Retrieves entries.</summary>
    public static async Task<IResult> RetrieveAsync(
        HttpContext http, string ns, [FromServices] CallerAuthenticator authenticator, [FromServices] IGrainFactory grains, [FromServices] GrainCallRetry retry)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(retry);
        if (!TryNamespace(http, authenticator, ns, out var context, out var full, out var error))
        {
            return error;
        }

        var query = http.Request.Query;
        var limit = MemoryQuery.DefaultLimit;
        if (query["limit"].ToString() is { Length: > 0 } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MemoryQuery.MaxLimit))
        {
            return GatewayError.Of(StatusCodes.Status400BadRequest, GatewayError.InvalidRequest, "invalid_limit",
                $"limit '{limitText}' must be a whole number from 1 to {MemoryQuery.MaxLimit}.", "limit");
        }

        var metadata = query
            .Where(p => p.Key.StartsWith(MetadataQueryPrefix, StringComparison.Ordinal) && p.Key.Length > MetadataQueryPrefix.Length)
            .ToDictionary(p => p.Key[MetadataQueryPrefix.Length..], p => p.Value.ToString(), StringComparer.Ordinal);
        return await Guarded(async () =>
        {
            var memoryQuery = new MemoryQuery
            {
                Namespace = full,
                Contains = query["q"].ToString() is { Length: > 0 } q ? q : null,
                Metadata = metadata.Count > 0 ? metadata : null,
                Limit = limit,
            };
            var workspace = Workspace(grains, context);
            var entries = await retry.RunAsync(() => workspace.RetrieveAsync(memoryQuery), $"memory retrieve {context}", http.RequestAborted);
            return TypedResults.Ok(new MemoryEntryList("list", [.. entries.Select(e => View(context, e))]));
        });
    }

    /// <summary>Deletes one entry.</summary>
    public static async Task<IResult> DeleteAsync(HttpContext http, string ns, string id, [FromServices] CallerAuthenticator authenticator, [FromServices] IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(grains);
        if (!TryNamespace(http, authenticator, ns, out var context, out var full, out var error))
        {
            return error;
        }

        return await Guarded(async () => await Workspace(grains, context).DeleteAsync(full, id)
            ? TypedResults.NoContent()
            : GatewayError.Of(StatusCodes.Status404NotFound, GatewayError.NotFound, "memory_not_found", $"Namespace '{ns}' of {context} holds no entry '{id}'."));
    }

    /// <summary>Deletes a namespace.</summary>
    public static async Task<IResult> DeleteNamespaceAsync(HttpContext http, string ns, [FromServices] CallerAuthenticator authenticator, [FromServices] IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(grains);
        if (!TryNamespace(http, authenticator, ns, out var context, out var full, out var error))
        {
            return error;
        }

        return await Guarded(async () => TypedResults.Ok(new MemoryDeleted(await Workspace(grains, context).DeleteNamespaceAsync(full))));
    }

    private static bool TryContext(HttpContext http, CallerAuthenticator authenticator, out TenantContext context, [NotNullWhen(false)] out GatewayError? error)
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        context = default;
        if (!authenticator.TryAuthenticate(http.Request, out var caller, out error)
            || !authenticator.TryResolveEffective(caller, out var effective, out error))
        {
            return false;
        }

        context = effective.Context;
        return true;
    }

    private static bool TryNamespace(HttpContext http, CallerAuthenticator authenticator, string ns, out TenantContext context, out string full, [NotNullWhen(false)] out GatewayError? error)
    {
        full = string.Empty;
        if (!TryContext(http, authenticator, out context, out error))
        {
            return false;
        }

        if (!ns.Contains(':', StringComparison.Ordinal))
        {
            full = TenantContext.MemNs(context, ns);
            return true;
        }

        if (context.OwnsNamespace(ns))
        {
            full = ns;
            return true;
        }

        error = GatewayError.Of(StatusCodes.Status403Forbidden, GatewayError.PermissionDenied, "namespace_not_allowed",
            $"Memory namespace '{ns}' does not belong to {context}; use a short name (e.g. 'faq') or '{context}:<name>'.");
        return false;
    }

    private static async Task<IResult> Guarded(Func<Task<IResult>> call)
    {
        try
        {
            return await call();
        }
        catch (NamespaceAccessDeniedException ex)
        {
            return GatewayError.Of(StatusCodes.Status403Forbidden, GatewayError.PermissionDenied, "namespace_not_allowed", ex.Message);
        }
        catch (MemoryLimitExceededException ex)
        {
            return GatewayError.Of(StatusCodes.Status413PayloadTooLarge, GatewayError.InvalidRequest, "memory_limit_exceeded", ex.Message);
        }
        catch (ArgumentException ex)
        {
            return GatewayError.Of(StatusCodes.Status400BadRequest, GatewayError.InvalidRequest, "invalid_memory_request", ex.Message);
        }
    }

    private static IWorkspaceGrain Workspace(IGrainFactory grains, TenantContext context) =>
        grains.GetGrain<IWorkspaceGrain>(WorkspaceGrainKey.Format(context));

    private static string ShortName(TenantContext context, string full) =>
        context.OwnsNamespace(full) ? full[(context.ToString().Length + 1)..] : full;

    private static MemoryEntryView View(TenantContext context, MemoryEntry entry) =>
        new(entry.Id, ShortName(context, entry.Namespace), entry.Namespace, entry.Text, entry.Metadata, entry.CreatedAt, entry.UpdatedAt);
}

/// <summary>Body of <c>POST /v1/memory/{ns}</c>: <c>{"text": "...", "metadata": {"lang": "en"}, "id": "..."}</c>.</summary>
/// <param name="Text">The text to remember (required, non-empty).</param>
/// <param name="Metadata">Optional string metadata, filterable with <c>meta.&lt;key&gt;=</c>.</param>
/// <param name="Id">Optional id; an entry with the same id is replaced.</param>
public sealed record MemoryAddBody(string? Text, IReadOnlyDictionary<string, string>? Metadata, string? Id)
{
    /// <summary>The fields a body may hold.</summary>
    public static readonly IReadOnlyList<string> Fields = ["text", "metadata", "id"];

    /// <summary>Reads a body; on a problem returns a 400 in the OpenAI shape naming the field.</summary>
    public static async Task<(MemoryAddBody? Body, GatewayError? Error)> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(body, default, cancellationToken);
        }
        catch (JsonException error)
        {
            return (null, Invalid("invalid_json", $"The body is not valid JSON ({error.Message}); send {{\"text\": \"...\"}}.", null));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, Invalid("invalid_memory_body", "The body must be a JSON object such as {\"text\": \"...\", \"metadata\": {\"lang\": \"en\"}}.", null));
            }

            string? text = null;
            string? id = null;
            Dictionary<string, string>? metadata = null;
            foreach (var property in root.EnumerateObject())
            {
                var value = property.Value;
                switch (property.Name)
                {
                    case "text" when value.ValueKind == JsonValueKind.String:
                        text = value.GetString();
                        break;
                    case "id" when value.ValueKind is JsonValueKind.String or JsonValueKind.Null:
                        id = value.GetString();
                        break;
                    case "metadata" when value.ValueKind == JsonValueKind.Null:
                        break;
                    case "metadata" when value.ValueKind == JsonValueKind.Object:
                        metadata = new Dictionary<string, string>(StringComparer.Ordinal);
                        foreach (var entry in value.EnumerateObject())
                        {
                            if (entry.Value.ValueKind != JsonValueKind.String)
                            {
                                return (null, Invalid("invalid_metadata", $"metadata.{entry.Name} must be text; metadata maps names to text values.", "metadata"));
                            }

                            metadata[entry.Name] = entry.Value.GetString()!;
                        }

                        break;
                    case "text" or "id" or "metadata":
                        return (null, Invalid("invalid_" + property.Name, property.Name == "metadata"
                            ? "metadata must be an object of text values, such as {\"lang\": \"en\"}."
                            : $"{property.Name} must be text.", property.Name));
                    default:
                        return (null, Invalid("unknown_field", $"Unknown field '{property.Name}'; the body takes {string.Join(", ", Fields)}.", property.Name));
                }
            }

            return string.IsNullOrEmpty(text)
                ? (null, Invalid("missing_text", "The body needs a non-empty 'text'.", "text"))
                : (new MemoryAddBody(text, metadata, id), null);
        }
    }

    private static GatewayError Invalid(string code, string message, string? param) =>
        GatewayError.Of(StatusCodes.Status400BadRequest, GatewayError.InvalidRequest, code, message, param);
}

/// <summary>One memory entry.</summary>
/// <param name="Id">The entry id.</param>
/// <param name="Name">The namespace's short name.</param>
/// <param name="Namespace">The full namespace.</param>
/// <param name="Text">The text.</param>
/// <param name="Metadata">The metadata.</param>
/// <param name="CreatedAt">When it was first added.</param>
/// <param name="UpdatedAt">When it was last replaced.</param>
public sealed record MemoryEntryView(string Id, string Name, string Namespace, string Text, IReadOnlyDictionary<string, string> Metadata, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Body of <c>GET /v1/memory/{ns}</c>.</summary>
/// <param name="Kind">Always <c>list</c> (serialized as <c>object</c>).</param>
/// <param name="Data">The entries, newest first.</param>
public sealed record MemoryEntryList([property: System.Text.Json.Serialization.JsonPropertyName("object")] string Kind, IReadOnlyList<MemoryEntryView> Data);

/// <summary>One namespace of the caller's workspace.</summary>
/// <param name="Name">The short name.</param>
/// <param name="Namespace">The full namespace.</param>
/// <param name="EntryCount">How many entries it holds.</param>
public sealed record MemoryNamespaceView(string Name, string Namespace, int EntryCount);

/// <summary>Body of <c>GET /v1/memory</c>.</summary>
/// <param name="Kind">Always <c>list</c> (serialized as <c>object</c>).</param>
/// <param name="Data">The namespaces, by name.</param>
public sealed record MemoryNamespaceList([property: System.Text.Json.Serialization.JsonPropertyName("object")] string Kind, IReadOnlyList<MemoryNamespaceView> Data);

/// <summary>Body of <c>DELETE /v1/memory/{ns}</c>.</summary>
/// <param name="Deleted">How many entries the namespace held.</param>
public sealed record MemoryDeleted(int Deleted);
