"""The request desk: usage requests, staff accounts and login, personal data and the mail outbox,
stored in Elasticsearch. Built once by :func:`desk.factory.build_desk` for the gateway, the mailer
and the CLI. Builds on ``indexer`` (client, index names) and ``schemas``; never on the gateway.
"""
