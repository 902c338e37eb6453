-- Run once by the postgres image on an empty data directory (/docker-entrypoint-initdb.d), as POSTGRES_USER.
-- One database per service, each owned by a login role of its own: a service can reach its own data and no other
-- service's. Passwords come from the container's environment (psql \getenv), never from this file.
-- The database owner may create tables in its public schema (PostgreSQL 15+), which `prisma migrate deploy` needs.

\set ON_ERROR_STOP on

\getenv user_password USER_DB_PASSWORD
\getenv product_password PRODUCT_DB_PASSWORD
\getenv order_password ORDER_DB_PASSWORD
\getenv payment_password PAYMENT_DB_PASSWORD

CREATE ROLE shop_user LOGIN PASSWORD :'user_password';
CREATE ROLE shop_product LOGIN PASSWORD :'product_password';
CREATE ROLE shop_order LOGIN PASSWORD :'order_password';
CREATE ROLE shop_payment LOGIN PASSWORD :'payment_password';

CREATE DATABASE shop_user OWNER shop_user;
CREATE DATABASE shop_product OWNER shop_product;
CREATE DATABASE shop_order OWNER shop_order;
CREATE DATABASE shop_payment OWNER shop_payment;

-- Nobody but the owner (and superusers) may connect: PUBLIC gets CONNECT on new databases by default.
REVOKE ALL ON DATABASE shop_user FROM PUBLIC;
REVOKE ALL ON DATABASE shop_product FROM PUBLIC;
REVOKE ALL ON DATABASE shop_order FROM PUBLIC;
REVOKE ALL ON DATABASE shop_payment FROM PUBLIC;
