from django.shortcuts import render


def home(request):
    return render(request, "storefront/pages/home.html")
