using Apex.Platform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Apex.Platform.Resilience.Retries;

public static class RetryEndpoints
{
    /// <summary>The ledger service: idempotent entries in PostgreSQL. Every resilience process hosts it.</summary>
    public static IServiceCollection AddLedger(this IServiceCollection services)
    {
        services.TryAddSingleton<LedgerStore>();
        services.AddSchema(71, "resilience-ledger", LedgerStore.Schema);
        return services;
    }

    /// <summary>Transfers: writes to the ledger through Polly retries with the platform's backoff, on the platform's clock.</summary>
    public static IServiceCollection AddRetryingTransfers(this IServiceCollection services)
    {
        services.AddOptions<RetryOptions>().BindConfiguration(RetryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<RetryJournal>();
        services.TryAddSingleton(sp => new BackoffCalculator(sp.GetRequiredService<IOptions<RetryOptions>>(), Random.Shared));
        services.AddHttpClient<LedgerWriter>((sp, client) => client.BaseAddress = new Uri(sp.GetRequiredService<IOptions<RetryOptions>>().Value.Ledger))
            .AddResilienceHandler("ledger-retry", (builder, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<RetryOptions>>().Value;
                var backoff = context.ServiceProvider.GetRequiredService<BackoffCalculator>();
                var journal = context.ServiceProvider.GetRequiredService<RetryJournal>();
                builder.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
                builder.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = options.MaxRetryAttempts,
                    ShouldHandle = args => ValueTask.FromResult(TransientFailure.Is(args.Outcome)),
                    DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(backoff.Delay(args.AttemptNumber)),
                    OnRetry = args =>
                    {
                        var key = args.Context.GetRequestMessage()?.Headers.GetValues(LedgerWriter.IdempotencyHeader).First() ?? "?";
                        journal.Retrying(key, args.AttemptNumber, Describe(args.Outcome), args.RetryDelay);
                        return ValueTask.CompletedTask;
                    },
                });
            });
        return services;
    }

    public static IEndpointRouteBuilder MapLedger(this IEndpointRouteBuilder app)
    {
        app.MapPost("/resilience/ledger/entries", BookAsync);
        app.MapGet("/resilience/ledger/accounts/{account}", async (string account, LedgerStore store, CancellationToken ct) =>
            TypedResults.Ok(await store.ForAccountAsync(account, ct)));
        return app;
    }

    public static IEndpointRouteBuilder MapRetryingTransfers(this IEndpointRouteBuilder app)
    {
        app.MapPost("/resilience/transfers", async (HttpRequest http, LedgerEntryRequest entry, LedgerWriter writer, CancellationToken ct) =>
        {
            // The caller's own key makes the whole transfer idempotent end to end; without one, each call is a new write.
            var key = http.Headers[LedgerWriter.IdempotencyHeader].FirstOrDefault() ?? Guid.NewGuid().ToString("N");
            var result = await writer.WriteAsync(key, entry, ct);
            return TypedResults.Ok(result);
        });
        return app;
    }

    private static async Task<Results<Created<LedgerEntry>, Ok<LedgerEntry>, ProblemHttpResult>> BookAsync(
        HttpRequest http, HttpResponse response, LedgerEntryRequest entry, LedgerStore store, CancellationToken ct)
    {
        if (http.Headers[LedgerWriter.IdempotencyHeader].FirstOrDefault() is not { Length: > 0 and <= 100 } key)
        {
            return TypedResults.Problem($"An {LedgerWriter.IdempotencyHeader} header (1 to 100 characters) is required.", statusCode: StatusCodes.Status400BadRequest);
        }

        if (entry.AmountCents <= 0 || string.IsNullOrWhiteSpace(entry.Account))
        {
            return TypedResults.Problem("An entry needs an account and a positive amount.", statusCode: StatusCodes.Status422UnprocessableEntity);
        }

        var (booked, isNew) = await store.BookAsync(key, entry, ct);
        if (isNew) return TypedResults.Created($"/resilience/ledger/entries/{key}", booked);
        response.Headers[LedgerWriter.ReplayedHeader] = "true";
        return TypedResults.Ok(booked);
    }

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } e ? e.GetType().Name : $"HTTP {(int)outcome.Result!.StatusCode}";
}
