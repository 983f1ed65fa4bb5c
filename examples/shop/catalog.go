package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Product is a catalogue entry.
type Product struct {
	ID          int64     `db:"id" json:"id"`
	Name        string    `db:"name" json:"name"`
	Description string    `db:"description" json:"description"`
	PriceCents  int64     `db:"price_cents" json:"price_cents"`
	Stock       int64     `db:"stock" json:"stock"`
	UpdatedAt   time.Time `db:"updated_at" json:"updated_at"`
}

// Order is one customer's order of one product.
type Order struct {
	ID          int64          `db:"id" json:"id"`
	ProductID   int64          `db:"product_id" json:"product_id"`
	Quantity    int64          `db:"quantity" json:"quantity"`
	Email       string         `db:"email" json:"email"`
	CreatedAt   time.Time      `db:"created_at" json:"created_at"`
	ConfirmedAt sql.NullTime   `db:"confirmed_at" json:"-"`
	RequestID   sql.NullString `db:"request_id" json:"-"`
}

// BestSeller is a row of the best-sellers table the periodic job recomputes.
type BestSeller struct {
	ProductID int64  `db:"product_id" json:"product_id"`
	Name      string `db:"name" json:"name"`
	Sold      int64  `db:"sold" json:"sold"`
}

// queryer is the read/write surface the catalogue needs. *sqlx.DB, *sqlx.Tx and dbrouter's Router
// all provide it, so the same code runs on SQLite alone or on PostgreSQL with replicas.
type queryer interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	Rebind(query string) string
}

var (
	errNotFound   = errors.New("shop: not found")
	errOutOfStock = errors.New("shop: not enough stock")
)

const (
	defaultPageSize = 20
	maxPageSize     = 100 // hard cap: a client asking for more gets maxPageSize
)

// pageSize clamps a requested page size to [1, maxPageSize]; 0 means the default.
func pageSize(n int) int {
	switch {
	case n <= 0:
		return defaultPageSize
	case n > maxPageSize:
		return maxPageSize
	}
	return n
}

// listProducts returns up to limit products with id > afterID in id order (keyset pagination:
// the cost of page 1,000 is the cost of page 1), and whether more follow.
func listProducts(ctx context.Context, db queryer, afterID int64, limit int) ([]Product, bool, error) {
	var ps []Product
	err := db.SelectContext(ctx, &ps, db.Rebind(
		`SELECT id, name, description, price_cents, stock, updated_at FROM products WHERE id > ? ORDER BY id LIMIT ?`),
		afterID, limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("list products: %w", err)
	}
	more := len(ps) > limit
	if more {
		ps = ps[:limit]
	}
	return ps, more, nil
}

func getProduct(ctx context.Context, db queryer, id int64) (Product, error) {
	var p Product
	err := db.GetContext(ctx, &p, db.Rebind(
		`SELECT id, name, description, price_cents, stock, updated_at FROM products WHERE id = ?`), id)
	if errors.Is(err, sql.ErrNoRows) {
		return p, errNotFound
	}
	if err != nil {
		return p, fmt.Errorf("get product %d: %w", id, err)
	}
	return p, nil
}

// updateProduct saves an edit made in the admin form.
func updateProduct(ctx context.Context, db queryer, p Product) error {
	res, err := db.ExecContext(ctx, db.Rebind(
		`UPDATE products SET name = ?, description = ?, price_cents = ?, stock = ?, updated_at = ? WHERE id = ?`),
		p.Name, p.Description, p.PriceCents, p.Stock, time.Now().UTC(), p.ID)
	if err != nil {
		return fmt.Errorf("update product %d: %w", p.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNotFound
	}
	return nil
}

// insertOrder takes stock and records the order inside tx; the caller enqueues the confirmation
// job in the same tx, so the order and its job commit or roll back together.
func insertOrder(ctx context.Context, tx queryer, productID, qty int64, email, requestID string) (Order, error) {
	res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE products SET stock = stock - ?, updated_at = ? WHERE id = ? AND stock >= ?`),
		qty, time.Now().UTC(), productID, qty)
	if err != nil {
		return Order{}, fmt.Errorf("take stock: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := getProduct(ctx, tx, productID); err != nil {
			return Order{}, err
		}
		return Order{}, errOutOfStock
	}
	o := Order{ProductID: productID, Quantity: qty, Email: email, CreatedAt: time.Now().UTC()}
	o.RequestID = sql.NullString{String: requestID, Valid: requestID != ""}
	err = tx.GetContext(ctx, &o.ID, tx.Rebind(
		`INSERT INTO orders (product_id, quantity, email, created_at, request_id) VALUES (?, ?, ?, ?, ?) RETURNING id`),
		o.ProductID, o.Quantity, o.Email, o.CreatedAt, o.RequestID)
	if err != nil {
		return Order{}, fmt.Errorf("insert order: %w", err)
	}
	return o, nil
}

func getOrder(ctx context.Context, db queryer, id int64) (Order, error) {
	var o Order
	err := db.GetContext(ctx, &o, db.Rebind(
		`SELECT id, product_id, quantity, email, created_at, confirmed_at, request_id FROM orders WHERE id = ?`), id)
	if errors.Is(err, sql.ErrNoRows) {
		return o, errNotFound
	}
	return o, err
}

// confirmOrder marks an order confirmed; the confirmation job calls it.
func confirmOrder(ctx context.Context, db queryer, id int64) error {
	_, err := db.ExecContext(ctx, db.Rebind(`UPDATE orders SET confirmed_at = ? WHERE id = ? AND confirmed_at IS NULL`),
		time.Now().UTC(), id)
	return err
}

// recomputeBestSellers rebuilds the best_sellers table from orders; the periodic job calls it.
func recomputeBestSellers(ctx context.Context, tx queryer) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM best_sellers`); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO best_sellers (product_id, sold)
		SELECT product_id, SUM(quantity) FROM orders GROUP BY product_id ORDER BY SUM(quantity) DESC LIMIT 10`)
	return err
}

func listBestSellers(ctx context.Context, db queryer) ([]BestSeller, error) {
	var bs []BestSeller
	err := db.SelectContext(ctx, &bs, `SELECT b.product_id, p.name, b.sold FROM best_sellers b
		JOIN products p ON p.id = b.product_id ORDER BY b.sold DESC, b.product_id`)
	return bs, err
}
