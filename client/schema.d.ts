// Generated from the OpenAPI document (GET /v1/openapi.json) by `npm run -s api:client` with openapi-typescript; do not edit.
export interface paths {
    "/v1/faxes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Outgoing faxes of this account, newest first
         * @description Filters combine (AND). Pages are cut on (submission time, id), so faxes submitted meanwhile never repeat or skip a row of the next page: follow nextCursor until it is null.
         */
        get: {
            parameters: {
                query?: {
                    /** @description repeat for several (status=queued&status=sending) */
                    status?: ("received" | "rendering" | "scheduled" | "queued" | "sending" | "retrying" | "sent" | "failed" | "rejected" | "cancelled")[];
                    /** @description the recipient's number, E.164 (+15551234567) */
                    to?: string;
                    source?: "email" | "api";
                    /** @description submitted at or after (ISO 8601; a date alone is its start, UTC) */
                    from?: string;
                    /** @description submitted before (ISO 8601) */
                    until?: string;
                    clientReference?: string;
                    limit?: number;
                    /** @description nextCursor of the previous page, as given (opaque) */
                    cursor?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "items": [
                         *         {
                         *           "id": "job_5f2c9a0e1b7d4c3a2e10",
                         *           "submissionId": "sub_0a1b2c3d4e5f60718293",
                         *           "status": "queued",
                         *           "to": "+15551234567",
                         *           "source": "api",
                         *           "sender": "api:key_3f9a",
                         *           "resolution": "fine",
                         *           "paper": "letter",
                         *           "pages": 3,
                         *           "pagesSent": 0,
                         *           "attempts": 0,
                         *           "statusCode": 0,
                         *           "reason": "",
                         *           "files": [
                         *             {
                         *               "name": "letter.pdf",
                         *               "verdict": "accepted",
                         *               "detected": "pdf",
                         *               "pages": 3
                         *             }
                         *           ],
                         *           "submittedAt": "2026-12-04T21:30:00.000Z",
                         *           "clientReference": "invoice-4711"
                         *         }
                         *       ],
                         *       "nextCursor": "WyIyMDI2LTEyLTA0VDIxOjMwOjAwLjAwMFoiLCJqb2JfNWYyYzlhMGUxYjdkNGMzYTJlMTAiXQ"
                         *     }
                         */
                        "application/json": {
                            items: {
                                id: string;
                                submissionId?: string;
                                /** @enum {string} */
                                status: "received" | "rendering" | "scheduled" | "queued" | "sending" | "retrying" | "sent" | "failed" | "rejected" | "cancelled";
                                to: string;
                                /** @enum {string} */
                                source?: "email" | "api";
                                sender?: string;
                                resolution?: string;
                                paper?: string;
                                pages?: number;
                                pagesSent?: number;
                                attempts?: number;
                                /** @description 0 = success */
                                statusCode?: number;
                                reason?: string;
                                files?: components["schemas"]["FileReport"][];
                                /** Format: date-time */
                                submittedAt: string;
                                /** Format: date-time */
                                completedAt?: string;
                                /** @description the fax line the job was (last) sent on */
                                line?: string;
                                /** @description the receiving machine's station id (CSID) from the latest call */
                                remoteId?: string;
                                /** @description the station id (TSI) this fax is sent with: the account's sender.csid or fax number */
                                localId?: string;
                                /** @description seconds on the line in the latest call */
                                durationSeconds?: number;
                                /** @description the line's own status code and text for the latest call (e.g. HylaFAX statuscode) */
                                lineStatus?: {
                                    code?: string;
                                    text?: string;
                                };
                                /** @description the reference given with the submission, echoed in every feedback */
                                clientReference?: string;
                                /**
                                 * Format: date-time
                                 * @description a scheduled fax: not dialled before this time
                                 */
                                sendAt?: string;
                                /** @description the fax this one re-sends (same rendering) */
                                resentFrom?: string;
                                /** @description the faxes that re-send this one, oldest first */
                                resends?: string[];
                                /** @description a cancel was asked for during the call; the line is hanging up */
                                cancelRequested?: boolean;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Problem (invalid-number, from-header-invalid, too-many-recipients, bare-line-ending, no-recipients, invalid-request, invalid-settings, invalid-cursor, malformed-message) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (unauthorized, webhook-unsigned, webhook-signature-invalid, webhook-stale) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Submit a fax
         * @description multipart/form-data (fields to, file — both repeatable — resolution, paper, coverText, cover, subject) or JSON with base64 files. Every file passes the same screen as email under the account's outgoing.unsupportedFiles rule. One job per recipient. Send Idempotency-Key to make retries safe.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description replays the first response for the same request */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "multipart/form-data": {
                        /** @description fax number (repeat for several) */
                        to: string[];
                        /** @description a document (repeat for several) */
                        file?: string[];
                        /**
                         * @description default fine
                         * @enum {string}
                         */
                        resolution?: "standard" | "fine" | "superfine";
                        /**
                         * @description default letter; legal is 8.5 × 14 in
                         * @enum {string}
                         */
                        paper?: "letter" | "a4" | "legal";
                        /** @description text laid out as the first page(s); on the cover page when there is one */
                        coverText?: string;
                        /** @description a cover page (on) or none (off); absent: the account's cover.enabled (docs/pages.md §3) */
                        cover?: boolean | ("on" | "off");
                        /** @description shown on the cover page and in %%S of the header line; [cover], [nocover], [standard], [fine], [superfine] in it are applied and removed */
                        subject?: string;
                        /** @description email a receipt to this address when the fax is done (one of the account's registered senders; docs/mail.md) */
                        receiptTo?: string;
                        /** @description your own reference for this fax: echoed in its status, the list (filter clientReference) and every feedback */
                        clientReference?: string;
                        /** @description this fax's feedback goes here instead of the account's feedbackUrl (same SSRF guard, signing and outgoing.feedbackWhen) */
                        callbackUrl?: string;
                        /** @description calls after the first when the number is busy or does not answer; absent: the account's outgoing.retries */
                        retries?: number;
                        /** @description ISO 8601 with offset, at most 30 days ahead: rendered now (the screen's verdict at once), status scheduled, sent at that time */
                        sendAt?: string;
                    };
                    "application/json": {
                        to: string[] | string;
                        files?: {
                            name?: string;
                            /** @description recorded, never decides */
                            contentType?: string;
                            /** Format: byte */
                            data: string;
                        }[];
                        /**
                         * @description default fine
                         * @enum {string}
                         */
                        resolution?: "standard" | "fine" | "superfine";
                        /**
                         * @description default letter; legal is 8.5 × 14 in
                         * @enum {string}
                         */
                        paper?: "letter" | "a4" | "legal";
                        /** @description text laid out as the first page(s); on the cover page when there is one */
                        coverText?: string;
                        /** @description a cover page (on) or none (off); absent: the account's cover.enabled (docs/pages.md §3) */
                        cover?: boolean | ("on" | "off");
                        /** @description shown on the cover page and in %%S of the header line; [cover], [nocover], [standard], [fine], [superfine] in it are applied and removed */
                        subject?: string;
                        /** @description email a receipt to this address when the fax is done (one of the account's registered senders; docs/mail.md) */
                        receiptTo?: string;
                        /** @description your own reference for this fax: echoed in its status, the list (filter clientReference) and every feedback */
                        clientReference?: string;
                        /** @description this fax's feedback goes here instead of the account's feedbackUrl (same SSRF guard, signing and outgoing.feedbackWhen) */
                        callbackUrl?: string;
                        /** @description calls after the first when the number is busy or does not answer; absent: the account's outgoing.retries */
                        retries?: number;
                        /** @description ISO 8601 with offset, at most 30 days ahead: rendered now (the screen's verdict at once), status scheduled, sent at that time */
                        sendAt?: string;
                    };
                };
            };
            responses: {
                /** @description accepted: one job per recipient, with the per-file report */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SubmitResult"];
                    };
                };
                /** @description Problem (invalid-number, from-header-invalid, too-many-recipients, bare-line-ending, no-recipients, invalid-request, invalid-settings, invalid-cursor, malformed-message) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (unauthorized, webhook-unsigned, webhook-signature-invalid, webhook-stale) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (relay-denied, not-designated-number, sender-not-registered, sender-auth-failed, account-disabled, forbidden) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (type-unavailable, idempotency-conflict, not-ready, invalid-state, fax-finished, nothing-to-resend) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (message-too-large) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (unsupported-attachment, unsupported-media-type) */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (nothing-to-fax, receipt-not-sender, invalid-send-at) */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (too-many-connections, too-many-commands, too-many-uploads, auth-throttled) */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (internal) */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (sender-auth-temperror, server-busy, port-in-use, port-unavailable, data-folder-in-use) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/faxes/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Status of a fax job: pages, attempts, per-file report, history and feedback deliveries */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id?: string;
                            submissionId?: string;
                            /** @enum {string} */
                            status?: "received" | "rendering" | "scheduled" | "queued" | "sending" | "retrying" | "sent" | "failed" | "rejected" | "cancelled";
                            to?: string;
                            /** @enum {string} */
                            source?: "email" | "api";
                            sender?: string;
                            resolution?: string;
                            paper?: string;
                            pages?: number;
                            pagesSent?: number;
                            attempts?: number;
                            /** @description 0 = success */
                            statusCode?: number;
                            reason?: string;
                            files?: components["schemas"]["FileReport"][];
                            /** Format: date-time */
                            submittedAt?: string;
                            /** Format: date-time */
                            completedAt?: string;
                            /** @description the fax line the job was (last) sent on */
                            line?: string;
                            /** @description the receiving machine's station id (CSID) from the latest call */
                            remoteId?: string;
                            /** @description the station id (TSI) this fax is sent with: the account's sender.csid or fax number */
                            localId?: string;
                            /** @description seconds on the line in the latest call */
                            durationSeconds?: number;
                            /** @description the line's own status code and text for the latest call (e.g. HylaFAX statuscode) */
                            lineStatus?: {
                                code?: string;
                                text?: string;
                            };
                            /** @description the reference given with the submission, echoed in every feedback */
                            clientReference?: string;
                            /**
                             * Format: date-time
                             * @description a scheduled fax: not dialled before this time
                             */
                            sendAt?: string;
                            /** @description the fax this one re-sends (same rendering) */
                            resentFrom?: string;
                            /** @description the faxes that re-send this one, oldest first */
                            resends?: string[];
                            /** @description a cancel was asked for during the call; the line is hanging up */
                            cancelRequested?: boolean;
                            /** @description one entry per transmission attempt, oldest first */
                            calls?: {
                                attempt?: number;
                                line?: string;
                                claimedAt?: string;
                                dialledAt?: string;
                                finishedAt?: string;
                                outcome?: string;
                                pagesSent?: number;
                                remoteId?: string;
                                durationSeconds?: number;
                                lineCode?: string;
                                lineText?: string;
                            }[];
                            events?: {
                                at?: string;
                                from?: string | null;
                                to?: string;
                                note?: string;
                            }[];
                            /** @description outgoing feedback deliveries and their attempts */
                            feedback?: {
                                [key: string]: unknown;
                            }[];
                        };
                    };
                };
                /** @description Problem (unauthorized, webhook-unsigned, webhook-signature-invalid, webhook-stale) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (not-found) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/faxes/{id}/image": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The rendered fax as TIFF Class F or as PDF (same pages, CCITT passthrough) */
        get: {
            parameters: {
                query?: {
                    format?: "tiff" | "pdf";
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description the fax image */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "image/tiff": string;
                        "application/pdf": string;
                    };
                };
                /** @description Problem (unauthorized, webhook-unsigned, webhook-signature-invalid, webhook-stale) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (not-found) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (type-unavailable, idempotency-conflict, not-ready, invalid-state, fax-finished, nothing-to-resend) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (gone) */
                410: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/faxes/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel a fax not yet sent; hang up one being sent
         * @description A fax received, rendering, scheduled, queued or waiting to retry ends `cancelled` at once (200), with one feedback as a failure with StatusCode 8 under the account's outgoing.feedbackWhen. A fax on the line is hung up (sandbox) or killed (HylaFAX JKILL): 202 with cancelRequested, and the status becomes `cancelled` when the line has let go (or `sent` if the call finished first). A finished fax answers 409 fax-finished.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description cancelled */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "job_5f2c9a0e1b7d4c3a2e10",
                         *       "submissionId": "sub_0a1b2c3d4e5f60718293",
                         *       "status": "cancelled",
                         *       "to": "+15551234567",
                         *       "source": "api",
                         *       "sender": "api:key_3f9a",
                         *       "resolution": "fine",
                         *       "paper": "letter",
                         *       "pages": 3,
                         *       "pagesSent": 0,
                         *       "attempts": 0,
                         *       "statusCode": 8,
                         *       "reason": "cancelled: cancelled on request",
                         *       "files": [
                         *         {
                         *           "name": "letter.pdf",
                         *           "verdict": "accepted",
                         *           "detected": "pdf",
                         *           "pages": 3
                         *         }
                         *       ],
                         *       "submittedAt": "2026-12-04T21:30:00.000Z",
                         *       "clientReference": "invoice-4711",
                         *       "completedAt": "2026-12-04T21:31:12.000Z",
                         *       "events": [
                         *         {
                         *           "at": "2026-12-04T21:30:00.000Z",
                         *           "from": null,
                         *           "to": "received",
                         *           "note": ""
                         *         },
                         *         {
                         *           "at": "2026-12-04T21:30:01.000Z",
                         *           "from": "received",
                         *           "to": "rendering",
                         *           "note": ""
                         *         },
                         *         {
                         *           "at": "2026-12-04T21:30:02.000Z",
                         *           "from": "rendering",
                         *           "to": "queued",
                         *           "note": ""
                         *         },
                         *         {
                         *           "at": "2026-12-04T21:31:12.000Z",
                         *           "from": "queued",
                         *           "to": "cancelled",
                         *           "note": "cancel requested"
                         *         }
                         *       ],
                         *       "calls": [],
                         *       "feedback": []
                         *     }
                         */
                        "application/json": {
                            id?: string;
                            submissionId?: string;
                            /** @enum {string} */
                            status?: "received" | "rendering" | "scheduled" | "queued" | "sending" | "retrying" | "sent" | "failed" | "rejected" | "cancelled";
                            to?: string;
                            /** @enum {string} */
                            source?: "email" | "api";
                            sender?: string;
                            resolution?: string;
                            paper?: string;
                            pages?: number;
                            pagesSent?: number;
                            attempts?: number;
                            /** @description 0 = success */
                            statusCode?: number;
                            reason?: string;
                            files?: components["schemas"]["FileReport"][];
                            /** Format: date-time */
                            submittedAt?: string;
                            /** Format: date-time */
                            completedAt?: string;
                            /** @description the fax line the job was (last) sent on */
                            line?: string;
                            /** @description the receiving machine's station id (CSID) from the latest call */
                            remoteId?: string;
                            /** @description the station id (TSI) this fax is sent with: the account's sender.csid or fax number */
                            localId?: string;
                            /** @description seconds on the line in the latest call */
                            durationSeconds?: number;
                            /** @description the line's own status code and text for the latest call (e.g. HylaFAX statuscode) */
                            lineStatus?: {
                                code?: string;
                                text?: string;
                            };
                            /** @description the reference given with the submission, echoed in every feedback */
                            clientReference?: string;
                            /**
                             * Format: date-time
                             * @description a scheduled fax: not dialled before this time
                             */
                            sendAt?: string;
                            /** @description the fax this one re-sends (same rendering) */
                            resentFrom?: string;
                            /** @description the faxes that re-send this one, oldest first */
                            resends?: string[];
                            /** @description a cancel was asked for during the call; the line is hanging up */
                            cancelRequested?: boolean;
                            /** @description one entry per transmission attempt, oldest first */
                            calls?: {
                                attempt?: number;
                                line?: string;
                                claimedAt?: string;
                                dialledAt?: string;
                                finishedAt?: string;
                                outcome?: string;
                                pagesSent?: number;
                                remoteId?: string;
                                durationSeconds?: number;
                                lineCode?: string;
                                lineText?: string;
                            }[];
                            events?: {
                                at?: string;
                                from?: string | null;
                                to?: string;
                                note?: string;
                            }[];
                            /** @description outgoing feedback deliveries and their attempts */
                            feedback?: {
                                [key: string]: unknown;
                            }[];
                        };
                    };
                };
                /** @description on the line: being hung up (status still sending, cancelRequested true) */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id?: string;
                            submissionId?: string;
                            /** @enum {string} */
                            status?: "received" | "rendering" | "scheduled" | "queued" | "sending" | "retrying" | "sent" | "failed" | "rejected" | "cancelled";
                            to?: string;
                            /** @enum {string} */
                            source?: "email" | "api";
                            sender?: string;
                            resolution?: string;
                            paper?: string;
                            pages?: number;
                            pagesSent?: number;
                            attempts?: number;
                            /** @description 0 = success */
                            statusCode?: number;
                            reason?: string;
                            files?: components["schemas"]["FileReport"][];
                            /** Format: date-time */
                            submittedAt?: string;
                            /** Format: date-time */
                            completedAt?: string;
                            /** @description the fax line the job was (last) sent on */
                            line?: string;
                            /** @description the receiving machine's station id (CSID) from the latest call */
                            remoteId?: string;
                            /** @description the station id (TSI) this fax is sent with: the account's sender.csid or fax number */
                            localId?: string;
                            /** @description seconds on the line in the latest call */
                            durationSeconds?: number;
                            /** @description the line's own status code and text for the latest call (e.g. HylaFAX statuscode) */
                            lineStatus?: {
                                code?: string;
                                text?: string;
                            };
                            /** @description the reference given with the submission, echoed in every feedback */
                            clientReference?: string;
                            /**
                             * Format: date-time
                             * @description a scheduled fax: not dialled before this time
                             */
                            sendAt?: string;
                            /** @description the fax this one re-sends (same rendering) */
                            resentFrom?: string;
                            /** @description the faxes that re-send this one, oldest first */
                            resends?: string[];
                            /** @description a cancel was asked for during the call; the line is hanging up */
                            cancelRequested?: boolean;
                            /** @description one entry per transmission attempt, oldest first */
                            calls?: {
                                attempt?: number;
                                line?: string;
                                claimedAt?: string;
                                dialledAt?: string;
                                finishedAt?: string;
                                outcome?: string;
                                pagesSent?: number;
                                remoteId?: string;
                                durationSeconds?: number;
                                lineCode?: string;
                                lineText?: string;
                            }[];
                            events?: {
                                at?: string;
                                from?: string | null;
                                to?: string;
                                note?: string;
                            }[];
                            /** @description outgoing feedback deliveries and their attempts */
                            feedback?: {
                                [key: string]: unknown;
                            }[];
                        };
                    };
                };
                /** @description Problem (unauthorized, webhook-unsigned, webhook-signature-invalid, webhook-stale) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (not-found) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (type-unavailable, idempotency-conflict, not-ready, invalid-state, fax-finished, nothing-to-resend) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/faxes/{id}/resend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a fax again from the same rendering, to its number or to others
         * @description New job(s), queued at once from the pages already rendered (no new screen or render), each linked to the first (resentFrom on the new one, resends on the first). The header line is stamped again at the new call.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "to": [
                     *         "+15557654321"
                     *       ]
                     *     }
                     */
                    "application/json": {
                        /** @description the number(s) to send to; absent: the fax's own number */
                        to?: string[] | string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "resentFrom": "job_5f2c9a0e1b7d4c3a2e10",
                         *       "jobs": [
                         *         {
                         *           "id": "job_9e8d7c6b5a4f3e2d1c0b",
                         *           "submissionId": "sub_0a1b2c3d4e5f60718293",
                         *           "status": "queued",
                         *           "to": "+15557654321",
                         *           "source": "api",
                         *           "sender": "api:key_3f9a",
                         *           "resolution": "fine",
                         *           "paper": "letter",
                         *           "pages": 3,
                         *           "pagesSent": 0,
                         *           "attempts": 0,
                         *           "statusCode": 0,
                         *           "reason": "",
                         *           "files": [
                         *             {
                         *               "name": "letter.pdf",
                         *               "verdict": "accepted",
                         *               "detected": "pdf",
                         *               "pages": 3
                         *             }
                         *           ],
                         *           "submittedAt": "2026-12-04T21:30:00.000Z",
                         *           "clientReference": "invoice-4711",
                         *           "resentFrom": "job_5f2c9a0e1b7d4c3a2e10"
                         *         }
                         *       ]
                         *     }
                         */
                        "application/json": {
                            resentFrom: string;
                            jobs: {
                                id: string;
                                submissionId?: string;
                                /** @enum {string} */
                                status: "received" | "rendering" | "scheduled" | "queued" | "sending" | "retrying" | "sent" | "failed" | "rejected" | "cancelled";
                                to: string;
                                /** @enum {string} */
                                source?: "email" | "api";
                                sender?: string;
                                resolution?: string;
                                paper?: string;
                                pages?: number;
                                pagesSent?: number;
                                attempts?: number;
                                /** @description 0 = success */
                                statusCode?: number;
                                reason?: string;
                                files?: components["schemas"]["FileReport"][];
                                /** Format: date-time */
                                submittedAt: string;
                                /** Format: date-time */
                                completedAt?: string;
                                /** @description the fax line the job was (last) sent on */
                                line?: string;
                                /** @description the receiving machine's station id (CSID) from the latest call */
                                remoteId?: string;
                                /** @description the station id (TSI) this fax is sent with: the account's sender.csid or fax number */
                                localId?: string;
                                /** @description seconds on the line in the latest call */
                                durationSeconds?: number;
                                /** @description the line's own status code and text for the latest call (e.g. HylaFAX statuscode) */
                                lineStatus?: {
                                    code?: string;
                                    text?: string;
                                };
                                /** @description the reference given with the submission, echoed in every feedback */
                                clientReference?: string;
                                /**
                                 * Format: date-time
                                 * @description a scheduled fax: not dialled before this time
                                 */
                                sendAt?: string;
                                /** @description the fax this one re-sends (same rendering) */
                                resentFrom?: string;
                                /** @description the faxes that re-send this one, oldest first */
                                resends?: string[];
                                /** @description a cancel was asked for during the call; the line is hanging up */
                                cancelRequested?: boolean;
                            }[];
                        };
                    };
                };
                /** @description Problem (invalid-number, from-header-invalid, too-many-recipients, bare-line-ending, no-recipients, invalid-request, invalid-settings, invalid-cursor, malformed-message) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (unauthorized, webhook-unsigned, webhook-signature-invalid, webhook-stale) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (relay-denied, not-designated-number, sender-not-registered, sender-auth-failed, account-disabled, forbidden) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (not-found) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (type-unavailable, idempotency-conflict, not-ready, invalid-state, fax-finished, nothing-to-resend) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/screen": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Dry run of the attachment screen
         * @description Detects each file from its bytes and applies the account's outgoing.unsupportedFiles rule, exactly as a submission would, without creating a job. Always 200: the decision is the answer.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "multipart/form-data": {
                        file?: string[];
                        /** @description counts as faxable body text */
                        coverText?: string;
                    };
                    "application/json": {
                        files?: {
                            name?: string;
                            contentType?: string;
                            /** Format: byte */
                            data: string;
                        }[];
                        coverText?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            outcome: "accept" | "reject";
                            /** @enum {string} */
                            reason?: "unsupported-attachment" | "nothing-to-fax";
                            files: components["schemas"]["FileReport"][];
                        };
                    };
                };
                /** @description Problem (invalid-number, from-header-invalid, too-many-recipients, bare-line-ending, no-recipients, invalid-request, invalid-settings, invalid-cursor, malformed-message) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (unauthorized, webhook-unsigned, webhook-signature-invalid, webhook-stale) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (message-too-large) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (too-many-connections, too-many-commands, too-many-uploads, auth-throttled) */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (sender-auth-temperror, server-busy, port-in-use, port-unavailable, data-folder-in-use) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/settings/integration": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's integration settings */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["IntegrationSettings"];
                    };
                };
                /** @description Problem (unauthorized, webhook-unsigned, webhook-signature-invalid, webhook-stale) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        /**
         * Change integration settings (partial: only the fields sent change)
         * @description Nested objects or dotted keys ("outgoing.feedbackWhen"). Unknown keys and values are refused with errors naming each field. Every change is recorded with the actor api:key_<key id>.
         */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["IntegrationSettings"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["IntegrationSettings"];
                    };
                };
                /** @description Problem (invalid-number, from-header-invalid, too-many-recipients, bare-line-ending, no-recipients, invalid-request, invalid-settings, invalid-cursor, malformed-message) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (unauthorized, webhook-unsigned, webhook-signature-invalid, webhook-stale) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/types": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The type registry: enabled, available, maxBytes and reason per type */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            types: components["schemas"]["TypeRow"][];
                        };
                    };
                };
                /** @description Problem (unauthorized, webhook-unsigned, webhook-signature-invalid, webhook-stale) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (relay-denied, not-designated-number, sender-not-registered, sender-auth-failed, account-disabled, forbidden) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        /**
         * Enable or disable types and set their size caps
         * @description Enabling a type that has no working renderer on this host is refused (409 type-unavailable) with its reason.
         */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description partial: { "<type id>": { "enabled": bool, "maxBytes": number|null } } */
            requestBody: {
                content: {
                    "application/json": {
                        [key: string]: {
                            enabled?: boolean;
                            /** @description per-type cap in bytes; null removes it */
                            maxBytes?: number | null;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            types: components["schemas"]["TypeRow"][];
                        };
                    };
                };
                /** @description Problem (invalid-number, from-header-invalid, too-many-recipients, bare-line-ending, no-recipients, invalid-request, invalid-settings, invalid-cursor, malformed-message) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (unauthorized, webhook-unsigned, webhook-signature-invalid, webhook-stale) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (relay-denied, not-designated-number, sender-not-registered, sender-auth-failed, account-disabled, forbidden) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (type-unavailable, idempotency-conflict, not-ready, invalid-state, fax-finished, nothing-to-resend) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/inbound": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Received faxes of this account, newest first (tombstones included) */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    /** @description nextCursor of the previous page */
                    cursor?: string;
                    /** @description repeat for both */
                    status?: ("stored" | "deleted")[];
                    /** @description the called number, E.164 */
                    to?: string;
                    /** @description received at or after (ISO 8601) */
                    from?: string;
                    /** @description received before (ISO 8601) */
                    until?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                id: string;
                                /** @enum {string} */
                                status: "stored" | "deleted";
                                /** @description calling number (E.164), or `anonymous` when the caller withheld it or the line delivered none; null once deleted */
                                from?: string | null;
                                /** @description called number (E.164), one of the account's inbound numbers; null once deleted */
                                to?: string | null;
                                /** @description the sending machine's station id (TSI), when the line reports one; null once deleted */
                                remoteId?: string | null;
                                /** @description true when the line reported the call ended before the whole document arrived (pages may be missing) */
                                partial?: boolean;
                                pages: number;
                                /** @description TIFF size in bytes; null once deleted */
                                size?: number | null;
                                /** Format: date-time */
                                receivedAt: string;
                                /** @description GET this for the image (?format=tiff|pdf); null once deleted */
                                imageUrl?: string | null;
                                /** @description complete image downloads */
                                retrievalCount?: number;
                                firstRetrievedAt?: string | null;
                                lastRetrievedAt?: string | null;
                                /** @description who downloaded it last (api:key_<key id>) */
                                lastRetrievedBy?: string | null;
                                deletedAt?: string | null;
                                /** @description api:key_<key id> of the key that retrieved or deleted it */
                                deletedBy?: string | null;
                                /** @enum {string|null} */
                                deletedReason?: "retrieved" | "deleted" | null;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Problem (invalid-number, from-header-invalid, too-many-recipients, bare-line-ending, no-recipients, invalid-request, invalid-settings, invalid-cursor, malformed-message) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (unauthorized, webhook-unsigned, webhook-signature-invalid, webhook-stale) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/inbound/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One received fax (another account's fax answers 404) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A received fax, or its tombstone once deleted (status `deleted`: numbers, size and image are gone) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            /** @enum {string} */
                            status: "stored" | "deleted";
                            /** @description calling number (E.164), or `anonymous` when the caller withheld it or the line delivered none; null once deleted */
                            from?: string | null;
                            /** @description called number (E.164), one of the account's inbound numbers; null once deleted */
                            to?: string | null;
                            /** @description the sending machine's station id (TSI), when the line reports one; null once deleted */
                            remoteId?: string | null;
                            /** @description true when the line reported the call ended before the whole document arrived (pages may be missing) */
                            partial?: boolean;
                            pages: number;
                            /** @description TIFF size in bytes; null once deleted */
                            size?: number | null;
                            /** Format: date-time */
                            receivedAt: string;
                            /** @description GET this for the image (?format=tiff|pdf); null once deleted */
                            imageUrl?: string | null;
                            /** @description complete image downloads */
                            retrievalCount?: number;
                            firstRetrievedAt?: string | null;
                            lastRetrievedAt?: string | null;
                            /** @description who downloaded it last (api:key_<key id>) */
                            lastRetrievedBy?: string | null;
                            deletedAt?: string | null;
                            /** @description api:key_<key id> of the key that retrieved or deleted it */
                            deletedBy?: string | null;
                            /** @enum {string|null} */
                            deletedReason?: "retrieved" | "deleted" | null;
                        };
                    };
                };
                /** @description Problem (unauthorized, webhook-unsigned, webhook-signature-invalid, webhook-stale) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (not-found) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a received fax for good (image, cached PDF, every temporary file); a tombstone stays */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A received fax, or its tombstone once deleted (status `deleted`: numbers, size and image are gone) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            /** @enum {string} */
                            status: "stored" | "deleted";
                            /** @description calling number (E.164), or `anonymous` when the caller withheld it or the line delivered none; null once deleted */
                            from?: string | null;
                            /** @description called number (E.164), one of the account's inbound numbers; null once deleted */
                            to?: string | null;
                            /** @description the sending machine's station id (TSI), when the line reports one; null once deleted */
                            remoteId?: string | null;
                            /** @description true when the line reported the call ended before the whole document arrived (pages may be missing) */
                            partial?: boolean;
                            pages: number;
                            /** @description TIFF size in bytes; null once deleted */
                            size?: number | null;
                            /** Format: date-time */
                            receivedAt: string;
                            /** @description GET this for the image (?format=tiff|pdf); null once deleted */
                            imageUrl?: string | null;
                            /** @description complete image downloads */
                            retrievalCount?: number;
                            firstRetrievedAt?: string | null;
                            lastRetrievedAt?: string | null;
                            /** @description who downloaded it last (api:key_<key id>) */
                            lastRetrievedBy?: string | null;
                            deletedAt?: string | null;
                            /** @description api:key_<key id> of the key that retrieved or deleted it */
                            deletedBy?: string | null;
                            /** @enum {string|null} */
                            deletedReason?: "retrieved" | "deleted" | null;
                        };
                    };
                };
                /** @description Problem (unauthorized, webhook-unsigned, webhook-signature-invalid, webhook-stale) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (not-found) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (gone) */
                410: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/inbound/{id}/image": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The fax image: TIFF Class F as received, or a PDF made from it (CCITT passthrough)
         * @description With incoming.deleteAfterRetrieval, a complete download deletes the fax for good; afterwards 410.
         */
        get: {
            parameters: {
                query?: {
                    format?: "tiff" | "pdf";
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description the image: image/tiff or application/pdf */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": string;
                    };
                };
                /** @description Problem (invalid-number, from-header-invalid, too-many-recipients, bare-line-ending, no-recipients, invalid-request, invalid-settings, invalid-cursor, malformed-message) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (unauthorized, webhook-unsigned, webhook-signature-invalid, webhook-stale) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (not-found) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (gone) */
                410: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandbox/inbound": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sandbox line: receive a fax (multipart fields to, from, file: a fax TIFF or a PDF)
         * @description 201 with the stored fax; 202 `{ status: "discarded" }` when no account owns `to` (nothing is kept).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A received fax, or its tombstone once deleted (status `deleted`: numbers, size and image are gone) */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            /** @enum {string} */
                            status: "stored" | "deleted";
                            /** @description calling number (E.164), or `anonymous` when the caller withheld it or the line delivered none; null once deleted */
                            from?: string | null;
                            /** @description called number (E.164), one of the account's inbound numbers; null once deleted */
                            to?: string | null;
                            /** @description the sending machine's station id (TSI), when the line reports one; null once deleted */
                            remoteId?: string | null;
                            /** @description true when the line reported the call ended before the whole document arrived (pages may be missing) */
                            partial?: boolean;
                            pages: number;
                            /** @description TIFF size in bytes; null once deleted */
                            size?: number | null;
                            /** Format: date-time */
                            receivedAt: string;
                            /** @description GET this for the image (?format=tiff|pdf); null once deleted */
                            imageUrl?: string | null;
                            /** @description complete image downloads */
                            retrievalCount?: number;
                            firstRetrievedAt?: string | null;
                            lastRetrievedAt?: string | null;
                            /** @description who downloaded it last (api:key_<key id>) */
                            lastRetrievedBy?: string | null;
                            deletedAt?: string | null;
                            /** @description api:key_<key id> of the key that retrieved or deleted it */
                            deletedBy?: string | null;
                            /** @enum {string|null} */
                            deletedReason?: "retrieved" | "deleted" | null;
                        };
                    };
                };
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status?: "discarded";
                            to?: string;
                        };
                    };
                };
                /** @description Problem (invalid-number, from-header-invalid, too-many-recipients, bare-line-ending, no-recipients, invalid-request, invalid-settings, invalid-cursor, malformed-message) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (unauthorized, webhook-unsigned, webhook-signature-invalid, webhook-stale) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (relay-denied, not-designated-number, sender-not-registered, sender-auth-failed, account-disabled, forbidden) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (message-too-large) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/feedback.wsdl": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * WSDL (with embedded XSD) of the XML feedback web service a customer implements at its feedbackUrl
         * @description Operations FaxFeedback (outgoing faxes) and InboundFax (received faxes), SOAP 1.1 document/literal, namespace urn:faxgate:feedback:1. No authentication.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/faxes/{id}/feedback/redeliver": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send the last feedback of this fax again
         * @description Queues the last outgoing feedback again, under the same webhook-id, to the current feedbackUrl in the current format. A feedback still being retried is made due now. Attempts appear on GET /v1/faxes/{id}.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            webhookId: string;
                            deliveryId: string;
                            /** @enum {string} */
                            status: "queued";
                        };
                    };
                };
                /** @description Problem (unauthorized, webhook-unsigned, webhook-signature-invalid, webhook-stale) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (not-found) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (type-unavailable, idempotency-conflict, not-ready, invalid-state, fax-finished, nothing-to-resend) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (internal) */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics (text exposition format)
         * @description Needs the admin token unless FAXGATE_METRICS=open; absent with FAXGATE_METRICS=off.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description metrics */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/plain": string;
                    };
                };
                /** @description Problem (unauthorized, webhook-unsigned, webhook-signature-invalid, webhook-stale) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (relay-denied, not-designated-number, sender-not-registered, sender-auth-failed, account-disabled, forbidden) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness: the process answers
         * @description No dependency is checked: restart the process only when this fails. No authentication.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "ok";
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness: database, data folder, renderer and fax lines
         * @description 200 when every check passes, 503 otherwise; each check with ok and detail. The Ghostscript answer is reused for 30 s and a check still running is joined, so frequent probes cost little. No authentication.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "ok" | "unavailable";
                            checks: {
                                name: string;
                                ok: boolean;
                                detail: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "ok" | "unavailable";
                            checks: {
                                name: string;
                                ok: boolean;
                                detail: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/carrier/{line}/webhook": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A carrier line's signed webhook (Telnyx fax events)
         * @description Telnyx posts fax.queued … fax.delivered/failed and fax.received here. Each delivery must carry a valid Ed25519 signature (telnyx-signature-ed25519 over `telnyx-timestamp|body`, the line's publicKey) at most 300 s from the server clock; an event id already seen is answered 200 and not acted on again. Refusals (401) are counted per client address like failed sign-ins (429 with Retry-After when in backoff); a correctly signed delivery is taken even then.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    line: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            ok: boolean;
                            duplicate?: boolean;
                        };
                    };
                };
                /** @description Problem (invalid-number, from-header-invalid, too-many-recipients, bare-line-ending, no-recipients, invalid-request, invalid-settings, invalid-cursor, malformed-message) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (unauthorized, webhook-unsigned, webhook-signature-invalid, webhook-stale) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (not-found) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem (too-many-connections, too-many-commands, too-many-uploads, auth-throttled) */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/carrier/{line}/media/{token}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * An outgoing fax's pages for its carrier (signed, short-lived link)
         * @description The link faxgate gave Telnyx as media_url: valid for 30 minutes and only while the fax is on its way. A wrong, expired or finished link is 404.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    line: string;
                    token: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description the fax pages (TIFF) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "image/tiff": string;
                    };
                };
                /** @description Problem (not-found) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This OpenAPI 3 document */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description RFC 9457 problem details with the stable faxgate error code */
        Problem: {
            /** @description URI naming the problem type (urn:faxgate:error:<code>) */
            type: string;
            title: string;
            status: number;
            detail?: string;
            /** @enum {string} */
            code: "relay-denied" | "invalid-number" | "not-designated-number" | "sender-not-registered" | "from-header-invalid" | "sender-auth-failed" | "sender-auth-temperror" | "too-many-recipients" | "message-too-large" | "unsupported-attachment" | "nothing-to-fax" | "bare-line-ending" | "no-recipients" | "too-many-connections" | "session-too-long" | "too-many-commands" | "tls-not-available" | "too-many-uploads" | "server-busy" | "internal" | "unauthorized" | "auth-throttled" | "account-disabled" | "forbidden" | "not-found" | "gone" | "invalid-request" | "receipt-not-sender" | "unsupported-media-type" | "invalid-settings" | "type-unavailable" | "idempotency-conflict" | "not-ready" | "invalid-state" | "fax-finished" | "nothing-to-resend" | "invalid-send-at" | "invalid-cursor" | "malformed-message" | "port-in-use" | "port-unavailable" | "data-folder-in-use" | "webhook-unsigned" | "webhook-signature-invalid" | "webhook-stale";
            instance?: string;
            files?: components["schemas"]["FileReport"][];
            errors?: {
                field: string;
                message: string;
            }[];
        } & {
            [key: string]: unknown;
        };
        /** @description What the screen decided about one file */
        FileReport: {
            name: string;
            size?: number;
            /** @description Content-Type as sent (recorded, never decides) */
            declaredType?: string;
            /** @description type registry id detected from the bytes, null when unknown */
            detected?: string | null;
            mime?: string;
            /** @enum {string} */
            verdict: "accepted" | "inline" | "unsupported-type" | "unknown-type" | "empty" | "too-large" | "encrypted" | "damaged" | "too-many-pages" | "too-many-pixels" | "too-complex" | "nothing-inside";
            reason?: string;
            /** @description what was left out of an accepted file (an HTML page's remote images) */
            note?: string;
            pages?: number;
        } & {
            [key: string]: unknown;
        };
        JobRef: {
            id: string;
            /** @description E.164 number */
            to: string;
            /** @enum {string} */
            status: "received" | "rendering" | "scheduled" | "queued" | "sending" | "retrying" | "sent" | "failed" | "rejected" | "cancelled";
        };
        SubmitResult: {
            submissionId?: string;
            jobs: components["schemas"]["JobRef"][];
            files: components["schemas"]["FileReport"][];
            duplicate?: boolean;
        };
        IntegrationSettings: {
            /** @description absolute http(s) URL, or empty */
            feedbackUrl?: string;
            incoming?: {
                /** @enum {string} */
                feedbackMethod?: "never" | "http-post" | "xml";
                deleteAfterRetrieval?: boolean;
            };
            outgoing?: {
                /** @enum {string} */
                feedbackWhen?: "always" | "never" | "success" | "failure";
                /** @enum {string} */
                feedbackMethod?: "http-post" | "xml";
                /** @enum {string} */
                unsupportedFiles?: "ignore" | "reject";
                /** @description calls after the first for busy/no answer; absent or null: FAXGATE_RETRY_ATTEMPTS − 1 */
                retries?: number | null;
                /**
                 * @description final (default): feedback when the fax ends; all: also queued and sending
                 * @enum {string}
                 */
                feedbackEvents?: "final" | "all";
            };
            /** @description developer accounts only */
            designatedFaxNumber?: string;
            /** @description IANA time zone of the header line and cover page, e.g. America/New_York */
            timezone?: string;
            header?: {
                /** @description a header line on every sent page */
                enabled?: boolean;
                /** @description the header line format (docs/pages.md §1) */
                format?: string;
            };
            sender?: {
                /** @description sender name on the header line and cover page (empty: the account name) */
                name?: string;
                /** @description E.164 fax number on the header line, or empty */
                faxNumber?: string;
                /** @description station id (TSI) the line announces: up to 20 digits, + and spaces */
                csid?: string;
            };
            cover?: {
                /** @description a cover page unless the submission says otherwise */
                enabled?: boolean;
                /** @description confidentiality notice printed on the cover page */
                notice?: string;
            };
            /** @description mail to people (docs/mail.md): receipts to the sender, received faxes by email */
            email?: {
                /** @enum {string} */
                receipts?: "always" | "never" | "success" | "failure";
                /** @enum {string} */
                receiptAttachment?: "none" | "first-page" | "pdf";
                /** @description rules: number (an inbound number, or * for the rest), to (registered senders), format; or the text form "* pdf a@x.example; +15550100200 notice b@x.example" */
                faxToEmail?: {
                    number?: string;
                    to?: string[];
                    /** @enum {string} */
                    format?: "pdf" | "link" | "notice";
                }[] | string;
            };
        };
        TypeRow: {
            id: string;
            enabled: boolean;
            available: boolean;
            supported?: boolean;
            maxBytes?: number | null;
            reason?: string;
        } & {
            [key: string]: unknown;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
